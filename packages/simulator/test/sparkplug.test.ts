import { createServer, type Socket } from 'node:net';
import { waitFor } from '@unison/testkit';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlantModel, MQTT_MACHINES, startSparkplugNode } from '../src/index.ts';

const codec = sparkplugPayload.get('spBv1.0');

async function startAedes() {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    url: `mqtt://127.0.0.1:${address && typeof address === 'object' ? address.port : 0}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

interface Seen {
  topic: string;
  seq?: number;
  metrics: { name?: string; alias?: number; value?: unknown; isHistorical?: boolean }[];
}

describe('Sparkplug B edge node', () => {
  let broker: Awaited<ReturnType<typeof startAedes>>;
  let host: mqtt.MqttClient;
  const seen: Seen[] = [];
  const num = (v: unknown) =>
    v && typeof v === 'object' && 'toNumber' in v ? (v as { toNumber(): number }).toNumber() : v;

  beforeAll(async () => {
    broker = await startAedes();
    host = await mqtt.connectAsync(broker.url);
    host.on('message', (topic, payload) => {
      if (topic.includes('/NCMD/')) return;
      const decoded = codec?.decodePayload(payload);
      seen.push({
        topic,
        seq: num(decoded?.seq) as number | undefined,
        metrics: (decoded?.metrics ?? []).map((m) => ({
          name: m.name ?? undefined,
          alias: num(m.alias) as number | undefined,
          value: num(m.value),
          isHistorical: m.isHistorical ?? undefined,
        })),
      });
    });
    await host.subscribeAsync('spBv1.0/sim/#', { qos: 1 });
  });
  afterAll(async () => {
    await host.endAsync();
    await broker.close();
  });

  it('births, data with aliases, historical values, rebirth on NCMD and a death certificate', async () => {
    const plant = createPlantModel(3);
    const node = startSparkplugNode({
      url: broker.url,
      group: 'sim',
      node: 'n1',
      devices: MQTT_MACHINES,
      read: plant.get,
      publishIntervalMs: 0,
    });
    await waitFor(() => (seen.filter((m) => m.topic.includes('DBIRTH')).length === 2 ? true : undefined));
    expect(seen.map((m) => [m.topic, m.seq])).toEqual([
      ['spBv1.0/sim/NBIRTH/n1', 0],
      ['spBv1.0/sim/DBIRTH/n1/filler-1', 1],
      ['spBv1.0/sim/DBIRTH/n1/filler-2', 2],
    ]);
    expect(seen[0]?.metrics).toContainEqual(expect.objectContaining({ name: 'bdSeq', value: 0 }));
    expect(seen[1]?.metrics.map((m) => `${m.name}@${m.alias}`)).toEqual([
      'state@100',
      'speed@101',
      'good@102',
      'scrap@103',
      'temperature@104',
    ]);

    node.publishData('filler-2');
    node.publishHistorical('filler-1', { good: 5 }, 1_000);
    await waitFor(() => (seen.length === 5 ? true : undefined));
    expect(seen[3]).toMatchObject({ topic: 'spBv1.0/sim/DDATA/n1/filler-2', seq: 3 });
    expect(seen[3]?.metrics.every((m) => m.name === undefined && m.alias !== undefined)).toBe(true);
    expect(seen[4]).toMatchObject({ seq: 4, metrics: [{ alias: 102, value: 5, isHistorical: true }] });

    node.skipSeq(10);
    node.publishData('filler-1');
    await waitFor(() => (seen.length === 6 ? true : undefined));
    expect(seen[5]?.seq).toBe(15);

    const rebirth = codec?.encodePayload({
      timestamp: Date.now(),
      metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
    });
    await host.publishAsync('spBv1.0/sim/NCMD/n1', Buffer.from(rebirth ?? []));
    await waitFor(() => (node.births() === 2 ? true : undefined));
    await waitFor(() => (seen.length === 9 ? true : undefined));
    expect(seen[6]).toMatchObject({ topic: 'spBv1.0/sim/NBIRTH/n1', seq: 0 });

    await node.crash();
    await waitFor(() => (seen.some((m) => m.topic === 'spBv1.0/sim/NDEATH/n1') ? true : undefined));
    expect(seen.at(-1)?.metrics).toEqual([expect.objectContaining({ name: 'bdSeq', value: 0 })]);
  });
});
