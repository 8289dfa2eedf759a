import { createHook } from 'node:async_hooks';
import type { Sample, SampleValue } from '@unison/contracts';
import { waitFor } from '@unison/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from './connector.ts';

export interface TagKey {
  machine: string;
  tag: string;
}

/** What one adapter brings to the contract suite: a connector wired to a running server, and switches. */
export interface ConnectorFixture {
  /** Configured against the server the fixture started; not started yet. */
  connector: Connector;
  /** Every tag the connector is configured to read; each must arrive with good quality. */
  tags: TagKey[];
  /** Changes one tag on the server side and says which tag and what value the connector must report. */
  changeValue(): Promise<TagKey & { value: SampleValue }>;
  /** Takes the server away (connections refused or dropped). */
  stopServer(): Promise<void>;
  /** Brings the server back where the connector expects it (same address). */
  startServer(): Promise<void>;
  /** Stops whatever the fixture started; called once after each test, after the connector's teardown. */
  close(): Promise<void>;
  /** The connector's configured time to notice a dead server; tags must be bad or uncertain by then. */
  badWithinMs: number;
  /** Time allowed for a first value or a recovery (connect, subscribe, one poll). Default 10 s. */
  settleMs?: number;
  /** Allowed distance between a sample's timestamp and the test's clock (source clocks). Default 60 s. */
  clockSkewMs?: number;
}

const keyOf = ({ machine, tag }: TagKey) => `${machine}/${tag}`;

/** The same value as the server set, allowing for float32 rounding. */
function sameValue(actual: SampleValue, expected: SampleValue): boolean {
  if (typeof actual === 'number' && typeof expected === 'number') {
    return Math.abs(actual - expected) <= Math.max(1e-9, Math.abs(expected) * 1e-6);
  }
  return actual === expected;
}

const TRACKED = new Set([
  'Timeout',
  'Immediate',
  'TCPWRAP',
  'TCPSERVERWRAP',
  'PIPEWRAP',
  'TTYWRAP',
  'UDPWRAP',
]);

/** Records the timers and sockets created from now on, to list those still holding the process open. */
function trackResources() {
  const live = new Map<number, { type: string; resource: WeakRef<object> }>();
  let recording = true;
  const hook = createHook({
    init(asyncId, type, _trigger, resource) {
      if (recording && TRACKED.has(type)) live.set(asyncId, { type, resource: new WeakRef(resource) });
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  }).enable();
  const holdsProcess = (resource: object | undefined) =>
    resource !== undefined &&
    (!('hasRef' in resource) || typeof resource.hasRef !== 'function' || resource.hasRef() === true);
  return {
    leaked: () =>
      [...live.values()].filter(({ resource }) => holdsProcess(resource.deref())).map(({ type }) => type),
    /** Ends recording new resources; those already recorded are still watched until destroyed. */
    freeze: () => {
      recording = false;
    },
    stop: () => hook.disable(),
  };
}

/**
 * The behaviour every connector owes the edge, run against a real server:
 * `describeConnector('modbus', async () => ({ connector, tags, changeValue, ... }))`.
 */
export function describeConnector(name: string, makeFixture: () => Promise<ConnectorFixture>): void {
  describe(`${name} connector contract`, () => {
    let fixture: ConnectorFixture;
    /** The fixture this test made, if making it succeeded: the one afterEach closes. */
    let made: ConnectorFixture | undefined;
    let received: Sample[];
    let stopConnector: (() => Promise<void>) | undefined;
    let resources: ReturnType<typeof trackResources> | undefined;

    const latest = (key: TagKey) => received.findLast((s) => keyOf(s) === keyOf(key));
    const settleMs = () => fixture.settleMs ?? 10_000;

    async function start() {
      resources = trackResources();
      // Bound to this test's array, so a connector leaked by an earlier test cannot feed this one.
      const sink = received;
      stopConnector = await fixture.connector.start((samples) => sink.push(...samples));
    }

    async function allGood(what: string) {
      await waitFor(() => (fixture.tags.every((key) => latest(key)?.quality === 'good') ? true : undefined), {
        timeoutMs: settleMs(),
        intervalMs: 20,
        what,
      });
    }

    beforeEach(async () => {
      received = [];
      stopConnector = undefined;
      made = undefined;
      fixture = await makeFixture();
      made = fixture;
    });

    afterEach(async () => {
      resources?.stop();
      await stopConnector?.();
      await made?.close();
    });

    it('emits first samples with good quality and sane timestamps', async () => {
      const startedMs = Date.now();
      await start();
      await allGood('a good first value of every tag');
      const skewMs = fixture.clockSkewMs ?? 60_000;
      for (const sample of received) {
        expect(Number.isFinite(sample.tsMs), `${keyOf(sample)} tsMs`).toBe(true);
        expect(sample.tsMs).toBeGreaterThanOrEqual(startedMs - skewMs);
        expect(sample.tsMs).toBeLessThanOrEqual(Date.now() + skewMs);
        if (sample.quality === 'good') expect(sample.value, keyOf(sample)).not.toBeNull();
      }
      expect(fixture.connector.status().state).toBe('connected');
    });

    it('emits a changed value', async () => {
      await start();
      await allGood('first values');
      const change = await fixture.changeValue();
      await waitFor(
        () => {
          const sample = latest(change);
          return sample?.quality === 'good' && sameValue(sample.value, change.value) ? true : undefined;
        },
        { timeoutMs: settleMs(), intervalMs: 20, what: `${keyOf(change)} = ${String(change.value)}` },
      );
    });

    it('marks tags bad or uncertain when the server goes away, and good again when it returns', async () => {
      await start();
      await allGood('first values');
      await fixture.stopServer();
      const stoppedMs = Date.now();
      await waitFor(() => (fixture.tags.every((key) => latest(key)?.quality !== 'good') ? true : undefined), {
        timeoutMs: fixture.badWithinMs + 1000,
        intervalMs: 20,
        what: 'every tag bad or uncertain',
      });
      expect(Date.now() - stoppedMs).toBeLessThanOrEqual(fixture.badWithinMs + 1000);
      expect(fixture.connector.status().state).not.toBe('stopped');
      await fixture.startServer();
      await allGood('good values after the server returned');
      await waitFor(() => (fixture.connector.status().state === 'connected' ? true : undefined), {
        timeoutMs: settleMs(),
        intervalMs: 20,
        what: 'connected again',
      });
    });

    it('teardown stops everything, leaves nothing running and is idempotent', async () => {
      await start();
      await allGood('first values');
      const teardown = stopConnector;
      if (!teardown) throw new Error('connector did not start');
      await teardown();
      resources?.freeze();
      await teardown();
      stopConnector = undefined;
      expect(fixture.connector.status().state).toBe('stopped');
      const countAtStop = received.length;
      await fixture.changeValue();
      const leaked = () => resources?.leaked() ?? [];
      await waitFor(() => (leaked().length === 0 ? true : undefined), {
        timeoutMs: 3000,
        intervalMs: 20,
        what: 'released timers and sockets',
      }).catch(() => undefined);
      expect(leaked(), 'timers or sockets the connector left behind').toEqual([]);
      expect(received).toHaveLength(countAtStop);
    });

    it('teardown returns promptly while the server is away', async () => {
      await start();
      await allGood('first values');
      await fixture.stopServer();
      await waitFor(() => (fixture.tags.every((key) => latest(key)?.quality !== 'good') ? true : undefined), {
        timeoutMs: fixture.badWithinMs + 1000,
        intervalMs: 20,
        what: 'every tag bad or uncertain',
      });
      const teardown = stopConnector;
      stopConnector = undefined;
      const beganMs = Date.now();
      await teardown?.();
      expect(Date.now() - beganMs).toBeLessThan(2000);
      expect(fixture.connector.status().state).toBe('stopped');
    });
  });
}
