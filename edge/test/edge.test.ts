import { join } from 'node:path';
import type { PlantConfig } from '@unison/config';
import { freePort, tempDir, waitFor } from '@unison/testkit';
import { ServerTCP } from 'modbus-serial';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { type Edge, startEdge } from '../src/index.ts';
import { type FakeCloud, startFakeCloud } from './fake.cloud.ts';

const dir = tempDir('unison-edge-e2e-');
const cleanups: (() => Promise<void> | void)[] = [() => dir.remove()];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function startModbusDevice(port: number, holding: number[]) {
  const server = new ServerTCP(
    { getHoldingRegister: (addr: number) => holding[addr] ?? 0 },
    { host: '127.0.0.1', port },
  );
  await new Promise((resolve) => server.on('initialized', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of server.socks.keys()) socket.destroy();
        server.close(() => resolve());
      }),
  );
}

describe('startEdge', () => {
  let edge: Edge;
  let cloud: FakeCloud;

  it('records machine data and forwards it to the cloud', async () => {
    const [modbusPort, brokerPort] = await Promise.all([freePort(), freePort()]);
    await startModbusDevice(modbusPort, [3, 1200]);
    cloud = await startFakeCloud();
    cleanups.push(() => cloud.stop());
    const config: PlantConfig = {
      edge: {
        name: 'edge-e2e',
        plant: 'plant-1',
        dataDir: join(dir.path, 'data'),
        http: { host: '127.0.0.1', port: 0 },
        broker: { host: '127.0.0.1', port: brokerPort, users: [] },
      },
      cloud: { url: cloud.url, enrollmentCode: 'enroll-code-123', batchSize: 100, uploadIntervalMs: 50 },
      machines: [
        { id: 'cnc-1', name: 'CNC 1' },
        { id: 'filler-1', name: 'Filler 1' },
      ],
      connectors: [
        {
          type: 'modbus',
          id: 'mills',
          host: '127.0.0.1',
          port: modbusPort,
          unitId: 1,
          pollIntervalMs: 50,
          timeoutMs: 500,
          reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
          tags: [
            {
              machine: 'cnc-1',
              tag: 'state',
              table: 'holding',
              address: 0,
              dataType: 'uint16',
              wordOrder: 'ABCD',
              scale: 1,
              offset: 0,
            },
            {
              machine: 'cnc-1',
              tag: 'speed',
              table: 'holding',
              address: 1,
              dataType: 'uint16',
              wordOrder: 'ABCD',
              scale: 1,
              offset: 0,
            },
          ],
        },
        {
          type: 'mqtt',
          id: 'fillers',
          url: `mqtt://127.0.0.1:${brokerPort}`,
          reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
          maxPayloadBytes: 1024,
          subscriptions: [
            { topic: 'sim/+/status', machineFromTopicLevel: 1, fields: [{ tag: 'good', path: 'good' }] },
          ],
        },
      ],
    };
    const progress: string[] = [];
    edge = await startEdge(config, {
      onProgress: (line) => progress.push(line),
      cloudRetry: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    cleanups.push(() => edge.stop());
    expect(edge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(progress.some((line) => line.includes(edge.url))).toBe(true);

    // A machine publishing straight to the edge's embedded broker.
    const machine = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`);
    cleanups.push(() => machine.endAsync());
    await waitFor(
      async () => {
        await machine.publishAsync('sim/filler-1/status', JSON.stringify({ good: 42 }));
        return cloud.stored.some((r) => r.machine === 'filler-1') ? true : undefined;
      },
      { what: 'mqtt sample in the cloud' },
    );
    await waitFor(() => (cloud.stored.filter((r) => r.machine === 'cnc-1').length >= 2 ? true : undefined));

    expect(cloud.stored.find((r) => r.tag === 'speed')).toMatchObject({
      machine: 'cnc-1',
      value: 1200,
      quality: 'good',
    });
    const seqs = cloud.stored.map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));

    const status = await (await fetch(`${edge.url}/api/status`)).json();
    expect(status).toMatchObject({
      edge: { name: 'edge-e2e', plant: 'plant-1', edgeId: expect.any(String) },
      cloud: { status: 'ok' },
    });
    expect(status.samples.recorded).toBeGreaterThanOrEqual(status.samples.uploaded);
    expect(status.connectors).toEqual([
      {
        id: 'mills',
        type: 'modbus',
        status: 'connected',
        details: { configErrors: [], units: [{ unitId: 1, state: 'polling' }] },
      },
      { id: 'fillers', type: 'mqtt', status: 'connected' },
    ]);
    await waitFor(() => (edge.status().samples.backlog === 0 ? true : undefined));

    await edge.stop();
    await expect(fetch(`${edge.url}/health`)).rejects.toThrow();
  });
});
