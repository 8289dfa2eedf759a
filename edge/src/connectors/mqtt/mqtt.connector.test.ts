import type { MqttConnectorConfig } from '@unison/config';
import type { Sample } from '@unison/contracts';
import { waitFor } from '@unison/testkit';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, startBroker } from '../../broker/broker.ts';
import { mqttConnector } from './mqtt.connector.ts';

const log = pino({ level: 'silent' });
let broker: Broker;
let publisher: mqtt.MqttClient;
beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, log });
  publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
});
afterAll(async () => {
  await publisher.endAsync();
  await broker.stop();
});

const config = (): MqttConnectorConfig => ({
  type: 'mqtt',
  id: 'fillers',
  url: `mqtt://127.0.0.1:${broker.port}`,
  reconnect: { initialDelayMs: 50, maxDelayMs: 1000 },
  maxPayloadBytes: 256,
  subscriptions: [
    {
      topic: 'sim/+/status',
      machineFromTopicLevel: 1,
      timestampPath: 'ts',
      fields: [
        { tag: 'state', path: 'state' },
        { tag: 'good', path: 'counters.good' },
      ],
    },
    { topic: 'line-4/scale', machine: 'scale-1', fields: [{ tag: 'weight', path: 'kg' }] },
    { topic: 'line-4/probe', machine: 'probe', fields: [{ tag: 'weight', path: 'kg' }] },
    { topic: 'line-5/#', machine: 'labeler', fields: [{ tag: 'rate', path: 'values[1].v' }] },
  ],
});

describe('mqtt connector', () => {
  it('turns JSON messages into samples and counts malformed ones without stopping', async () => {
    const connector = mqttConnector(config(), { log, now: () => 1_000 });
    const received: Sample[] = [];
    const stop = await connector.start((samples) => received.push(...samples));
    await waitFor(() => (connector.status().state === 'connected' ? true : undefined));
    // A probe proves the subscriptions are in place before the messages under test go out.
    await waitFor(async () => {
      await publisher.publishAsync('line-4/probe', JSON.stringify({ kg: 0 }));
      return received.length > 0 ? true : undefined;
    });
    const probes = () => received.filter((s) => s.machine === 'probe').length;

    const ts = '2025-01-02T03:04:05.000Z';
    await publisher.publishAsync(
      'sim/filler-1/status',
      JSON.stringify({ ts, state: 'running', counters: { good: 7 } }),
    );
    await publisher.publishAsync('sim/filler-2/status', 'not json');
    await publisher.publishAsync(
      'sim/filler-2/status',
      JSON.stringify({ state: 'idle', pad: 'x'.repeat(300) }),
    );
    await publisher.publishAsync('sim/filler-2/status', JSON.stringify({ state: 'idle' }));
    await publisher.publishAsync(
      'sim/bad code!/status',
      JSON.stringify({ state: 'idle', counters: { good: 1 } }),
    );
    await publisher.publishAsync('line-4/scale', JSON.stringify({ kg: 12.5 }));
    await publisher.publishAsync(
      'sim/filler-2/status',
      JSON.stringify({ ts: 'nonsense', state: 'idle', counters: { good: 0 } }),
    );

    await publisher.publishAsync('line-5/labeler/a', JSON.stringify({ values: [{ v: 1 }, { v: 42 }] }));

    await waitFor(() => (received.length - probes() === 6 ? true : undefined), { what: 'six samples' });
    expect(received.filter((s) => s.machine !== 'probe')).toEqual([
      { machine: 'filler-1', tag: 'state', tsMs: Date.parse(ts), value: 'running', quality: 'good' },
      { machine: 'filler-1', tag: 'good', tsMs: Date.parse(ts), value: 7, quality: 'good' },
      { machine: 'scale-1', tag: 'weight', tsMs: 1_000, value: 12.5, quality: 'good' },
      { machine: 'filler-2', tag: 'state', tsMs: 1_000, value: 'idle', quality: 'good' },
      { machine: 'filler-2', tag: 'good', tsMs: 1_000, value: 0, quality: 'good' },
      { machine: 'labeler', tag: 'rate', tsMs: 1_000, value: 42, quality: 'good' },
    ]);
    expect(connector.status()).toMatchObject({ state: 'connected', rejected: 4 });
    expect(connector.rejectedMessages()).toEqual([
      {
        atMs: 1_000,
        topic: 'sim/filler-2/status',
        reason: 'payload is not JSON',
        sizeBytes: 8,
        payload: 'not json',
        truncated: false,
      },
      expect.objectContaining({
        topic: 'sim/filler-2/status',
        reason: 'payload of 325 bytes exceeds 256',
        sizeBytes: 325,
      }),
      expect.objectContaining({
        reason: 'field counters.good is missing or not a scalar',
        payload: '{"state":"idle"}',
      }),
      expect.objectContaining({ topic: 'sim/bad code!/status', reason: 'no valid machine code' }),
    ]);
    await stop();
    expect(connector.status().state).toBe('stopped');
  });

  it('marks what it heard bad when the broker goes away, and reconnects when it comes back', async () => {
    const second = await startBroker({ host: '127.0.0.1', port: 0, log });
    const connector = mqttConnector({ ...config(), url: `mqtt://127.0.0.1:${second.port}` }, { log });
    const received: Sample[] = [];
    const stop = await connector.start((samples) => received.push(...samples));
    await waitFor(() => (connector.status().state === 'connected' ? true : undefined));
    const client2 = await mqtt.connectAsync(`mqtt://127.0.0.1:${second.port}`);
    await waitFor(async () => {
      await client2.publishAsync('line-4/scale', JSON.stringify({ kg: 2 }));
      return received.length > 0 ? true : undefined;
    });
    await client2.endAsync();
    const port = second.port;
    await second.stop();
    await waitFor(() => (connector.status().state !== 'connected' ? true : undefined));
    await waitFor(() => (received.at(-1)?.quality === 'bad' ? true : undefined), { what: 'scale-1 bad' });
    expect(received.at(-1)).toMatchObject({ machine: 'scale-1', tag: 'weight', value: null, quality: 'bad' });
    received.length = 0;
    const third = await startBroker({ host: '127.0.0.1', port, log });
    await waitFor(() => (connector.status().state === 'connected' ? true : undefined));
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
    await waitFor(async () => {
      await client.publishAsync('line-4/scale', JSON.stringify({ kg: 3 }));
      return received.length > 0 ? true : undefined;
    });
    await client.endAsync();
    await stop();
    await third.stop();
  });
});
