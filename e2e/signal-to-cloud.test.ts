import { join } from 'node:path';
import { type Cloud, createCloud } from '@unison/cloud';
import { loadPlantConfig } from '@unison/config';
import { type LoginResponse, MachineList } from '@unison/contracts';
import { type Edge, startEdge } from '@unison/edge';
import { type Simulator, startSimulator } from '@unison/simulator';
import { createTestDatabase, databaseBackends, freePort, tempDir, waitFor } from '@unison/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const demoConfig = join(import.meta.dirname, '..', 'firmware-config', 'plants', 'demo.yaml');

describe.each(databaseBackends())('a simulated machine signal reaches the cloud ($kind)', (backend) => {
  const dataDir = tempDir('unison-e2e-');
  let dropDatabase: (() => Promise<void>) | undefined;
  let cloud: Cloud;
  let cloudUrl: string;
  let sim: Simulator;
  let edge: Edge;
  let org1: Awaited<ReturnType<Cloud['admin']['createOrganization']>>;
  let org2: Awaited<ReturnType<Cloud['admin']['createOrganization']>>;
  let token1: string;
  let token2: string;

  async function login(email: string, password: string): Promise<string> {
    const response = await fetch(`${cloudUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as LoginResponse).accessToken;
  }

  async function machines(token: string): Promise<MachineList> {
    const response = await fetch(`${cloudUrl}/api/v1/machines`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return MachineList.parse(await response.json());
  }

  /** Waits until org 1's API shows `value` as the latest value of the machine's tag. */
  function seen(machine: string, tag: string, value: unknown) {
    return waitFor(
      async () => {
        const list = await machines(token1);
        const latest = list.items.find((m) => m.code === machine)?.latest.find((l) => l.tag === tag);
        return latest?.value === value ? latest : undefined;
      },
      {
        timeoutMs: 15_000,
        intervalMs: 200,
        what: `${machine}.${tag} = ${String(value)} through the cloud API`,
      },
    );
  }

  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (backend.kind === 'postgres') {
      const database = await createTestDatabase(backend.serverUrl);
      databaseUrl = database.url;
      dropDatabase = database.drop;
    }
    cloud = await createCloud({ databaseUrl, log: false });
    cloudUrl = (await cloud.listen({ port: 0, host: '127.0.0.1' })).url;
    org1 = await cloud.admin.createOrganization({
      name: 'Acme Stamping',
      plant: { code: 'demo-plant', name: 'Acme Demo Plant' },
      admin: { email: 'admin@acme.example' },
    });
    org2 = await cloud.admin.createOrganization({
      name: 'Globex Foods',
      plant: { code: 'demo-plant', name: 'Globex Demo Plant' },
      admin: { email: 'admin@globex.example' },
    });
    const enrollment = await cloud.admin.createEnrollmentCode({
      organizationId: org1.organizationId,
      plantId: org1.plantId,
    });

    const brokerPort = await freePort();
    const mqttUrl = `mqtt://127.0.0.1:${brokerPort}`;
    // The edge's embedded broker comes up with the edge; the simulator's publisher reconnects until then.
    sim = await startSimulator({
      seed: 7,
      tickMs: 0,
      opcua: { port: 0, pkiDir: join(dataDir.path, 'sim-pki') },
      modbus: { port: 0 },
      mqtt: { url: mqttUrl, topicPrefix: 'e2e', publishIntervalMs: 500 },
    });
    const config = loadPlantConfig(demoConfig, {
      EDGE_DATA_DIR: join(dataDir.path, 'edge'),
      EDGE_PORT: '0',
      EDGE_BROKER_PORT: String(brokerPort),
      CLOUD_URL: cloudUrl,
      EDGE_ENROLLMENT_CODE: enrollment.code,
      SIM_OPCUA_URL: sim.endpoints.opcua,
      SIM_MODBUS_PORT: String(sim.endpoints.modbus?.port),
      SIM_MQTT_URL: mqttUrl,
      SIM_MQTT_PREFIX: 'e2e',
    });
    edge = await startEdge(config);
    token1 = await login(org1.admin.email, org1.admin.password);
    token2 = await login(org2.admin.email, org2.admin.password);
  }, 120_000);

  afterAll(async () => {
    await edge?.stop();
    await sim?.stop();
    await cloud?.close();
    await dropDatabase?.();
    dataDir.remove();
  }, 30_000);

  it('carries an OPC UA value change to org 1', async () => {
    sim.set('press-2', { speed: 77.25 });
    await seen('press-2', 'speed', 77.25);
  });

  it('carries Modbus register changes, 32-bit counters included, to org 1', async () => {
    sim.set('cnc-1', { speed: 1234, good: 70_000 });
    await seen('cnc-1', 'speed', 1234);
    await seen('cnc-1', 'good', 70_000);
  });

  it('carries an MQTT message to org 1', async () => {
    sim.set('filler-2', { temperature: 55.5 });
    await seen('filler-2', 'temperature', 55.5);
  });

  it('shows org 1 every configured machine and org 2 none of them', async () => {
    const own = await waitFor(
      async () => {
        const list = await machines(token1);
        return list.items.length >= 7 ? list : undefined;
      },
      { timeoutMs: 15_000, what: 'all seven demo machines in org 1' },
    );
    expect(own.items.map((m) => m.code).sort()).toEqual(
      ['cnc-1', 'cnc-2', 'filler-1', 'filler-2', 'press-1', 'press-2', 'press-3'].sort(),
    );
    expect(own.items.every((m) => m.plantId === org1.plantId)).toBe(true);
    expect((await machines(token2)).items).toEqual([]);
  });

  it("returns nothing of org 1's data to raw SQL in org 2's context", async () => {
    // samples has no grant to the app role (TimescaleDB refuses RLS with compression): its reader
    // function filters by the transaction's tenant instead.
    const samples = 'samples_read(null, null, null, null, null)';
    for (const [table, source] of [
      ['samples', samples],
      ['machines', 'machines'],
      ['machine_latest', 'machine_latest'],
      ['edges', 'edges'],
      ['plants', 'plants'],
    ]) {
      const own = await cloud.queryAsTenant(org1.organizationId, `select count(*)::int as n from ${source}`);
      const other = await cloud.queryAsTenant(
        org2.organizationId,
        `select count(*)::int as n from ${source} where org_id = $1`,
        [org1.organizationId],
      );
      expect({ table, own: Number(own[0]?.n) > 0 }).toEqual({ table, own: true });
      expect({ table, other: Number(other[0]?.n) }).toEqual({ table, other: 0 });
    }
    const unfiltered = await cloud.queryAsTenant(
      org2.organizationId,
      `select count(*)::int as n from ${samples}`,
    );
    expect(Number(unfiltered[0]?.n)).toBe(0);
    await expect(cloud.queryAsTenant(org1.organizationId, 'select count(*) from samples')).rejects.toThrow(
      /permission denied/,
    );
  });

  it('reports the flow in the edge status', async () => {
    const status = await waitFor(() => {
      const s = edge.status();
      return s.samples.uploaded > 0 && s.cloud.status === 'ok' ? s : undefined;
    });
    expect(status.samples.recorded).toBeGreaterThanOrEqual(status.samples.uploaded);
    expect(status.connectors.map((c) => c.status)).toEqual(status.connectors.map(() => 'connected'));
  });
});
