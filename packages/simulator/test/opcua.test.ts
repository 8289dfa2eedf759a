import { tempDir, waitFor } from '@unison/testkit';
import {
  AttributeIds,
  ClientMonitoredItem,
  type ClientSession,
  type ClientSubscription,
  DataType,
  type DataValue,
  OPCUAClient,
  TimestampsToReturn,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPCUA_MACHINES, OPCUA_VARIABLES, type Simulator, startSimulator } from '../src/index.ts';

describe('OPC UA server', () => {
  const pki = tempDir('unison-sim-opcua-');
  let sim: Simulator;
  let client: OPCUAClient;
  let session: ClientSession;
  let namespaceIndex: number;

  beforeAll(async () => {
    sim = await startSimulator({ tickMs: 0, opcua: { port: 0, pkiDir: pki.path }, modbus: false });
    client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
    await client.connect(sim.endpoints.opcua ?? '');
    session = await client.createSession();
    const namespaces = await session.read({ nodeId: 'ns=0;i=2255', attributeId: AttributeIds.Value });
    namespaceIndex = (namespaces.value.value as string[]).indexOf('urn:unison:simulator');
  }, 30_000);

  afterAll(async () => {
    await session?.close();
    await client?.disconnect();
    await sim?.stop();
    pki.remove();
  });

  it('reports an endpoint a client can dial, on the bound port', () => {
    expect(sim.endpoints.opcua).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.endpoints.opcua).not.toMatch(/:0$/);
    expect(namespaceIndex).toBeGreaterThan(0);
  });

  it('serves all 15 variables with their types and the model values', async () => {
    const nodes = OPCUA_MACHINES.flatMap((machine) =>
      OPCUA_VARIABLES.map(({ name, dataType }) => ({ machine, name, dataType })),
    );
    expect(nodes).toHaveLength(15);
    const results = await session.read(
      nodes.map(({ machine, name }) => ({
        nodeId: `ns=${namespaceIndex};s=${machine}.${name}`,
        attributeId: AttributeIds.Value,
      })),
    );
    const snapshot = sim.machines();
    results.forEach((result, i) => {
      const node = nodes[i];
      if (!node) throw new Error('missing node');
      expect(result.statusCode.isGood(), `${node.machine}.${node.name}`).toBe(true);
      expect(result.value.dataType).toBe(node.dataType);
      const values = snapshot[node.machine];
      if (!values) throw new Error(`no values for ${node.machine}`);
      const expected = OPCUA_VARIABLES.find((variable) => variable.name === node.name)?.read(values);
      expect(result.value.value).toBe(expected);
    });
    expect(results[0]?.value.dataType).toBe(DataType.String);
  });

  it('browses Objects/Machines/<machine>', async () => {
    const machines = await session.browse(`ns=${namespaceIndex};s=Machines`);
    const names = (machines.references ?? []).map((reference) => reference.browseName.name);
    expect(names).toEqual(expect.arrayContaining([...OPCUA_MACHINES]));
  });

  it('notifies a subscription of a value set on the simulator', async () => {
    const subscription: ClientSubscription = await session.createSubscription2({
      requestedPublishingInterval: 50,
      requestedLifetimeCount: 100,
      requestedMaxKeepAliveCount: 10,
      publishingEnabled: true,
    });
    try {
      const seen: number[] = [];
      const item = await ClientMonitoredItem.create(
        subscription,
        { nodeId: `ns=${namespaceIndex};s=press-2.Speed`, attributeId: AttributeIds.Value },
        { samplingInterval: 50, queueSize: 10, discardOldest: true },
        TimestampsToReturn.Both,
      );
      item.on('changed', (value: DataValue) => seen.push(value.value.value as number));
      await waitFor(() => (seen.length > 0 ? true : undefined), { what: 'initial notification' });
      sim.set('press-2', { speed: 77.5 });
      await waitFor(() => (seen.includes(77.5) ? true : undefined), { what: 'speed 77.5', timeoutMs: 5000 });

      const before = sim.machines()['press-1']?.good ?? 0;
      sim.step(30);
      const good = await session.read({
        nodeId: `ns=${namespaceIndex};s=press-1.GoodCount`,
        attributeId: AttributeIds.Value,
      });
      expect(good.value.value).toBe(sim.machines()['press-1']?.good);
      expect(good.value.value).toBeGreaterThanOrEqual(before);
    } finally {
      await subscription.terminate();
    }
  });
});
