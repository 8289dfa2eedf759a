import { OpcuaConnector } from '@unison/config';
import { SIMULATOR_NAMESPACE_URI, type Simulator, startSimulator } from '@unison/simulator';
import { tempDir } from '@unison/testkit';
import pino from 'pino';
import { afterAll } from 'vitest';
import { describeConnector } from '../connector.contract.ts';
import { opcuaConnector } from './opcua.connector.ts';

const log = pino({ level: 'silent' });
const simulatorPki = tempDir('unison-opcua-contract-sim-');
const edgePki = tempDir('unison-opcua-contract-edge-');
afterAll(() => {
  simulatorPki.remove();
  edgePki.remove();
});

const simulate = (port: number) =>
  startSimulator({ tickMs: 0, modbus: false, opcua: { port, pkiDir: simulatorPki.path } });
const variables = { state: 'State', speed: 'Speed', good: 'GoodCount', temperature: 'Temperature' };

describeConnector('opcua', async () => {
  let sim: Simulator | undefined = await simulate(0);
  const endpoint = sim.endpoints.opcua ?? '';
  const port = Number(new URL(endpoint.replace('opc.tcp', 'http')).port);
  const tags = Object.entries(variables).map(([tag, variable]) => ({
    machine: 'press-1',
    tag,
    nodeId: `nsu=${SIMULATOR_NAMESPACE_URI};s=press-1.${variable}`,
  }));
  const connector = opcuaConnector(
    OpcuaConnector.parse({
      type: 'opcua',
      id: 'presses',
      endpoint,
      samplingIntervalMs: 20,
      keepAliveTimeoutMs: 1500,
      reconnect: { initialDelayMs: 50, maxDelayMs: 300 },
      tags,
    }),
    { log, pkiDir: edgePki.path },
  );
  return {
    connector,
    tags: tags.map(({ machine, tag }) => ({ machine, tag })),
    badWithinMs: 1500,
    async changeValue() {
      sim?.set('press-1', { speed: 42.5 });
      return { machine: 'press-1', tag: 'speed', value: 42.5 };
    },
    async stopServer() {
      await sim?.stop();
      sim = undefined;
    },
    async startServer() {
      sim = await simulate(port);
    },
    close: async () => sim?.stop(),
  };
});
