import type { Sample } from '@unison/contracts';
import { waitFor } from '@unison/testkit';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, startBroker } from '../../broker/broker.ts';
import { sparkplugConnector } from './sparkplug.connector.ts';
import { SPARKPLUG_TAGS, sparkplugConfig, startFillerNode } from './sparkplug.fixture.ts';

const log = pino({ level: 'silent' });
const key = (s: Pick<Sample, 'machine' | 'tag'>) => `${s.machine}/${s.tag}`;
const everyTag = ['filler-1', 'filler-2'].flatMap((machine) =>
  SPARKPLUG_TAGS.map((tag) => `${machine}/${tag}`),
);

describe('sparkplug host application on the embedded broker', () => {
  let broker: Broker;
  let url: string;
  let received: Sample[];
  const cleanups: (() => Promise<void>)[] = [];
  const latest = (k: string) => received.findLast((s) => key(s) === k && !s.historical);
  const allQuality = (quality: string) =>
    everyTag.every((k) => latest(k)?.quality === quality) ? true : undefined;

  beforeEach(async () => {
    received = [];
    broker = await startBroker({ host: '127.0.0.1', port: 0, log });
    url = `mqtt://127.0.0.1:${broker.port}`;
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await broker.stop();
  });

  async function startHost() {
    const connector = sparkplugConnector(sparkplugConfig(url, 'plant', 'edge-host'), { log });
    const stop = await connector.start((samples) => received.push(...samples));
    cleanups.push(stop);
    await waitFor(() => (connector.status().state === 'connected' ? true : undefined));
    return { connector, stop };
  }
  function startNode() {
    const started = startFillerNode(url, 'plant');
    cleanups.push(() => started.node.stop());
    return started;
  }

  it('publishes its STATE, reads births into samples and asks a node that was already running to rebirth', async () => {
    const { node, plant } = startNode();
    await waitFor(() => (node.births() === 1 ? true : undefined));
    const { connector, stop } = await startHost();
    // The host missed the births: the first data it sees is from an unknown session.
    await waitFor(
      () => {
        node.publishData('filler-1');
        return allQuality('good');
      },
      { what: 'every tag good after a rebirth' },
    );
    expect(connector.rebirthsRequested()).toBeGreaterThanOrEqual(1);
    expect(node.births()).toBeGreaterThanOrEqual(2);
    expect(latest('filler-2/good')?.value).toBe(plant.get('filler-2').good);

    const watcher = await mqtt.connectAsync(url);
    const states: { online: boolean; timestamp: number }[] = [];
    watcher.on('message', (_topic, payload) => states.push(JSON.parse(payload.toString())));
    await watcher.subscribeAsync('spBv1.0/STATE/edge-host', { qos: 1 });
    await waitFor(() => (states.length === 1 ? true : undefined), { what: 'retained STATE' });
    expect(states[0]).toEqual({ online: true, timestamp: expect.any(Number) });
    await stop();
    await waitFor(() => (states.length >= 2 ? true : undefined), { what: 'offline STATE' });
    expect(states[1]).toEqual({ online: false, timestamp: states[0]?.timestamp });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // A clean shutdown says so once: no death certificate follows the explicit offline STATE.
    expect(states).toHaveLength(2);
    await watcher.endAsync();
  });

  it('requests a rebirth on a seq gap and the node answers with new births', async () => {
    const { connector } = await startHost();
    const { node, plant } = startNode();
    await waitFor(() => allQuality('good'), { what: 'births' });
    // One was asked for when the host came online, before the node was there.
    expect(connector.rebirthsRequested()).toBe(1);
    expect(node.births()).toBe(1);

    node.skipSeq(3);
    plant.set('filler-1', { speed: 99.5 });
    node.publishData('filler-1');
    await waitFor(() => (node.births() === 2 ? true : undefined), { what: 'a second NBIRTH' });
    expect(connector.rebirthsRequested()).toBe(2);
    await waitFor(() => (latest('filler-1/speed')?.value === 99.5 ? true : undefined));
    plant.set('filler-1', { speed: 101.5 });
    node.publishData('filler-1');
    await waitFor(() => (latest('filler-1/speed')?.value === 101.5 ? true : undefined), {
      what: 'data after the rebirth',
    });
    expect(connector.rebirthsRequested()).toBe(2);
  });

  it('keeps historical values out of the latest values and marks everything bad on NDEATH', async () => {
    await startHost();
    const { node } = startNode();
    await waitFor(() => allQuality('good'), { what: 'births' });
    const goodBefore = latest('filler-2/good')?.value;
    node.publishHistorical('filler-2', { good: 1, speed: 2 }, Date.parse('2025-01-01T00:00:00Z'));
    await waitFor(() => (received.some((s) => s.historical) ? true : undefined));
    expect(received.filter((s) => s.historical)).toEqual([
      {
        machine: 'filler-2',
        tag: 'speed',
        tsMs: Date.parse('2025-01-01T00:00:00Z'),
        value: 2,
        quality: 'good',
        historical: true,
      },
      {
        machine: 'filler-2',
        tag: 'good',
        tsMs: Date.parse('2025-01-01T00:00:00Z'),
        value: 1,
        quality: 'good',
        historical: true,
      },
    ]);
    expect(latest('filler-2/good')?.value).toBe(goodBefore);

    await node.crash();
    await waitFor(() => allQuality('bad'), { what: 'every tag bad after NDEATH' });
    expect(latest('filler-1/state')).toMatchObject({ value: null, quality: 'bad' });
  });

  it('rejects payloads that are not Sparkplug B and keeps them for inspection', async () => {
    const { connector } = await startHost();
    const client = await mqtt.connectAsync(url);
    await client.publishAsync('spBv1.0/plant/NDATA/line-4', Buffer.from([0xff, 0xff, 0xff, 0x01]), {
      qos: 1,
    });
    await waitFor(() => (connector.status().rejected === 1 ? true : undefined));
    expect(connector.rejectedMessages()).toEqual([
      expect.objectContaining({
        topic: 'spBv1.0/plant/NDATA/line-4',
        reason: expect.stringMatching(/^not a Sparkplug B payload/),
      }),
    ]);
    expect(connector.status().state).toBe('connected');
    await client.endAsync();
  });
});
