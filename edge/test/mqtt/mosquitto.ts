import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import mqtt from 'mqtt';

/** The Mosquitto broker the MQTT tests also run against. */
export const MOSQUITTO_URL = 'mqtt://127.0.0.1:1883';

export async function mosquittoReachable(port = 1883): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A topic level no other run uses, so runs on a shared broker never see each other. */
export const uniqueLevel = (what: string) => `${what}-${randomUUID().slice(0, 8)}`;

/** Removes every retained message under `filter` (an empty retained publish deletes one). */
export async function clearRetained(url: string, filter: string): Promise<number> {
  const client = await mqtt.connectAsync(url);
  const topics = new Set<string>();
  const marker = `unison-test-marker/${randomUUID()}`;
  client.on('message', (topic, payload, packet) => {
    if (packet.retain && payload.length > 0 && topic !== marker) topics.add(topic);
  });
  // Retained messages arrive right after the SUBACK; a round trip through the broker proves they did.
  await client.subscribeAsync([filter, marker], { qos: 1 });
  await new Promise<void>((resolve) => {
    client.on('message', (topic) => topic === marker && resolve());
    void client.publishAsync(marker, 'x', { qos: 1 });
  });
  for (const topic of topics) await client.publishAsync(topic, '', { retain: true, qos: 1 });
  await client.endAsync();
  return topics.size;
}
