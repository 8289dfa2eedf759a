import type { Sample } from '@unison/contracts';
import { waitFor } from '@unison/testkit';
import mqtt from 'mqtt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { clearRetained, MOSQUITTO_URL, mosquittoReachable, uniqueLevel } from '../../test/mqtt/mosquitto.ts';
import { startBroker } from '../broker/broker.ts';
import { startUnsPublisher } from './uns.publisher.ts';
import { unsTopics } from './uns.topic.ts';

const log = pino({ level: 'silent' });
const withMosquitto = await mosquittoReachable();
const machines = [
  { id: 'filler-1', area: 'packaging', line: 'line-4' },
  { id: 'cnc-1', area: 'machining / east' },
];
const sample = (over: Partial<Sample>): Sample => ({
  machine: 'filler-1',
  tag: 'speed',
  tsMs: Date.parse('2025-03-04T05:06:07.000Z'),
  value: 1,
  quality: 'good',
  ...over,
});

/** Collects retained messages under `filter` as a consumer that connects late would see them. */
async function retainedUnder(url: string, filter: string, count: number) {
  const consumer = await mqtt.connectAsync(url);
  const seen = new Map<string, unknown>();
  consumer.on('message', (topic, payload, packet) => {
    if (packet.retain) seen.set(topic, JSON.parse(payload.toString()));
  });
  await consumer.subscribeAsync(filter, { qos: 1 });
  await waitFor(() => (seen.size >= count ? true : undefined), { what: `${count} retained under ${filter}` });
  await consumer.endAsync();
  return Object.fromEntries(seen);
}

describe('unified namespace', () => {
  it('builds one topic per tag under plant, area, line and machine', () => {
    const topicOf = unsTopics('unison', 'demo-plant', machines);
    expect(topicOf({ machine: 'filler-1', tag: 'speed' })).toBe(
      'unison/demo-plant/packaging/line-4/filler-1/speed',
    );
    expect(topicOf({ machine: 'cnc-1', tag: 'spindle/load' })).toBe(
      'unison/demo-plant/machining___east/unassigned/cnc-1/spindle/load',
    );
    expect(topicOf({ machine: 'elsewhere', tag: 't' })).toBe(
      'unison/demo-plant/unassigned/unassigned/elsewhere/t',
    );
  });

  it('publishes the latest value of each tag, retained, on the embedded broker', async () => {
    const broker = await startBroker({ host: '127.0.0.1', port: 0, log });
    const uns = await startUnsPublisher({ broker, plant: 'demo-plant', machines, log });
    uns.publish([
      sample({ value: 1 }),
      sample({ value: 2 }),
      sample({ tag: 'good', value: 10, tsMs: 0, historical: true }),
      sample({ machine: 'cnc-1', tag: 'temperature', value: null, quality: 'bad' }),
    ]);
    const retained = await retainedUnder(`mqtt://127.0.0.1:${broker.port}`, 'unison/demo-plant/#', 2);
    expect(retained).toEqual({
      'unison/demo-plant/packaging/line-4/filler-1/speed': {
        value: 2,
        quality: 'good',
        ts: '2025-03-04T05:06:07.000Z',
      },
      'unison/demo-plant/machining___east/unassigned/cnc-1/temperature': {
        value: null,
        quality: 'bad',
        ts: '2025-03-04T05:06:07.000Z',
      },
    });
    expect(uns.published()).toBe(2);
    await uns.stop();
    await broker.stop();
  });

  it.skipIf(!withMosquitto)('publishes to Mosquitto and leaves nothing retained behind', async () => {
    const plant = uniqueLevel('unison-test-plant');
    const uns = await startUnsPublisher({ brokerUrl: MOSQUITTO_URL, plant, machines, log });
    try {
      await waitFor(() => {
        uns.publish([sample({ value: 7 }), sample({ machine: 'cnc-1', tag: 'state', value: 'running' })]);
        return uns.published() >= 2 ? true : undefined;
      });
      const retained = await retainedUnder(MOSQUITTO_URL, `unison/${plant}/#`, 2);
      expect(retained[`unison/${plant}/packaging/line-4/filler-1/speed`]).toEqual({
        value: 7,
        quality: 'good',
        ts: '2025-03-04T05:06:07.000Z',
      });
      expect(retained[`unison/${plant}/machining___east/unassigned/cnc-1/state`]).toMatchObject({
        value: 'running',
      });
    } finally {
      await uns.stop();
      expect(await clearRetained(MOSQUITTO_URL, `unison/${plant}/#`)).toBe(2);
    }
  });
});
