import type { Sample } from '@unison/contracts';
import { waitFor } from '@unison/testkit';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  clearRetained,
  MOSQUITTO_URL,
  mosquittoReachable,
  uniqueLevel,
} from '../../../test/mqtt/mosquitto.ts';
import { sparkplugConnector } from './sparkplug.connector.ts';
import { SPARKPLUG_TAGS, sparkplugConfig, startFillerNode } from './sparkplug.fixture.ts';

const log = pino({ level: 'silent' });
const group = uniqueLevel('unison-test');
const hostId = uniqueLevel('host');

describe.skipIf(!(await mosquittoReachable()))('sparkplug host application against Mosquitto', () => {
  afterAll(async () => {
    await clearRetained(MOSQUITTO_URL, `spBv1.0/STATE/${hostId}`);
  });

  it('reads births, recovers from a seq gap by rebirth and marks a dead node bad', async () => {
    const received: Sample[] = [];
    const latest = (machine: string, tag: string) =>
      received.findLast((s) => s.machine === machine && s.tag === tag && !s.historical);
    const everyTag = (quality: string) =>
      ['filler-1', 'filler-2'].every((m) => SPARKPLUG_TAGS.every((t) => latest(m, t)?.quality === quality))
        ? true
        : undefined;
    const connector = sparkplugConnector(sparkplugConfig(MOSQUITTO_URL, group, hostId), { log });
    const stop = await connector.start((samples) => received.push(...samples));
    const { node, plant } = startFillerNode(MOSQUITTO_URL, group);
    try {
      await waitFor(() => everyTag('good'), { what: 'births through Mosquitto' });
      const requested = connector.rebirthsRequested();
      const births = node.births();
      node.skipSeq(5);
      plant.set('filler-2', { temperature: 55.5 });
      node.publishData('filler-2');
      await waitFor(() => (node.births() === births + 1 ? true : undefined), { what: 'rebirth' });
      expect(connector.rebirthsRequested()).toBe(requested + 1);
      await waitFor(() => (latest('filler-2', 'temperature')?.value === 55.5 ? true : undefined));
      await node.crash();
      await waitFor(() => everyTag('bad'), { what: 'NDEATH through Mosquitto' });
    } finally {
      await node.stop();
      await stop();
    }
    expect(await clearRetained(MOSQUITTO_URL, `spBv1.0/${group}/#`)).toBe(0);
  });
});
