import { createServer, type Server, type Socket } from 'node:net';
import { waitFor } from '@unison/testkit';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MQTT_MACHINES, type Simulator, type StatusPayload, startSimulator } from '../src/index.ts';

interface Broker {
  port: number;
  close: () => Promise<void>;
}

async function startBroker(port = 0): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: address && typeof address === 'object' ? address.port : port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

describe('MQTT publisher', () => {
  const topicPrefix = 'simtest';
  let broker: Broker;
  let sim: Simulator;
  let subscriber: MqttClient;
  const received: { topic: string; payload: StatusPayload }[] = [];
  const latest = (machine: string) =>
    received.findLast((message) => message.topic === `${topicPrefix}/${machine}/status`)?.payload;

  beforeAll(async () => {
    broker = await startBroker();
    const url = `mqtt://127.0.0.1:${broker.port}`;
    subscriber = await mqtt.connectAsync(url, { reconnectPeriod: 200 });
    subscriber.on('message', (topic, payload) =>
      received.push({ topic, payload: JSON.parse(payload.toString()) }),
    );
    await subscriber.subscribeAsync(`${topicPrefix}/+/status`, { qos: 1 });
    sim = await startSimulator({
      tickMs: 0,
      opcua: false,
      modbus: false,
      mqtt: { url, topicPrefix, publishIntervalMs: 60_000 },
    });
  });

  afterAll(async () => {
    await sim?.stop();
    await subscriber?.endAsync(true);
    await broker?.close();
  });

  it('reports its endpoint', () => {
    expect(sim.endpoints.mqtt).toEqual({ url: `mqtt://127.0.0.1:${broker.port}`, topicPrefix });
  });

  it('publishes both fillers as JSON once connected', async () => {
    for (const machine of MQTT_MACHINES) {
      const payload = await waitFor(() => latest(machine), { what: `${machine} status` });
      const values = sim.machines()[machine];
      expect(payload).toEqual({
        ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        state: values?.state,
        speed: values?.speed,
        counters: { good: values?.good, scrap: values?.scrap },
        temperature: values?.temperature,
      });
    }
  });

  it('publishes a set() value immediately', async () => {
    sim.set('filler-2', { state: 'running', speed: 61.2, good: 123, scrap: 4, temperature: 38.4 });
    const payload = await waitFor(
      () => (latest('filler-2')?.speed === 61.2 ? latest('filler-2') : undefined),
      {
        what: 'filler-2 at 61.2',
        timeoutMs: 2000,
      },
    );
    expect(payload).toMatchObject({ state: 'running', counters: { good: 123, scrap: 4 }, temperature: 38.4 });
  });

  it('reconnects when the broker comes back', async () => {
    const port = broker.port;
    await broker.close();
    broker = await startBroker(port);
    await waitFor(() => (subscriber.connected ? true : undefined), { what: 'subscriber reconnect' });
    await subscriber.subscribeAsync(`${topicPrefix}/+/status`, { qos: 1 });
    await waitFor(
      () => {
        sim.set('filler-1', { temperature: 33.3 });
        return latest('filler-1')?.temperature === 33.3 ? true : undefined;
      },
      { what: 'a status after the broker restarted', intervalMs: 200 },
    );
  });
});
