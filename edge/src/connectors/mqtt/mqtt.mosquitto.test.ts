import type { Sample } from '@unison/contracts';
import { waitFor } from '@unison/testkit';
import mqtt from 'mqtt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MOSQUITTO_URL, mosquittoReachable, uniqueLevel } from '../../../test/mqtt/mosquitto.ts';
import { mqttConnector } from './mqtt.connector.ts';

const log = pino({ level: 'silent' });

describe.skipIf(!(await mosquittoReachable()))('mqtt connector against Mosquitto', () => {
  it('maps topics and JSON paths, and keeps rejected messages', async () => {
    const prefix = uniqueLevel('unison-test');
    const connector = mqttConnector(
      {
        type: 'mqtt',
        id: 'fillers',
        url: MOSQUITTO_URL,
        reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
        maxPayloadBytes: 1024,
        rejectedKeep: 10,
        subscriptions: [
          {
            topic: `${prefix}/+/telemetry/#`,
            machineFromTopicLevel: 1,
            fields: [
              { tag: 'speed', path: 'values[0].v' },
              { tag: 'temperature', path: 'values[1].v' },
            ],
          },
        ],
      },
      { log, now: () => 42 },
    );
    const received: Sample[] = [];
    const stop = await connector.start((samples) => received.push(...samples));
    const publisher = await mqtt.connectAsync(MOSQUITTO_URL);
    try {
      await waitFor(async () => {
        await publisher.publishAsync(
          `${prefix}/filler-1/telemetry/a/b`,
          JSON.stringify({ values: [{ v: 1 }, { v: 2 }] }),
        );
        return received.length > 0 ? true : undefined;
      });
      await publisher.publishAsync(`${prefix}/filler-2/telemetry`, '{"values":[{"v":3}]}', { qos: 1 });
      await publisher.publishAsync(`${prefix}/filler-2/telemetry`, '\u0000binary', { qos: 1 });
      await publisher.publishAsync(
        `${prefix}/filler-2/telemetry`,
        JSON.stringify({ values: [{ v: 5 }, { v: 6 }] }),
        { qos: 1 },
      );
      await waitFor(() => (received.some((s) => s.machine === 'filler-2') ? true : undefined));
      expect(received.filter((s) => s.machine === 'filler-2')).toEqual([
        { machine: 'filler-2', tag: 'speed', tsMs: 42, value: 5, quality: 'good' },
        { machine: 'filler-2', tag: 'temperature', tsMs: 42, value: 6, quality: 'good' },
      ]);
      expect(connector.rejectedMessages().map((m) => m.reason)).toEqual([
        'field values[1].v is missing or not a scalar',
        'payload is not JSON',
      ]);
    } finally {
      await publisher.endAsync();
      await stop();
    }
  });
});
