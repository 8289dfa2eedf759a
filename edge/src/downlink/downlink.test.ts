import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { tempDir, waitFor } from '@unison/testkit';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type EdgeDatabase, openEdgeDatabase } from '../store/sqlite.ts';
import { type EdgeIdentity, makeKeyPair } from '../uplink/identity.ts';
import { type Downlink, startDownlink } from './downlink.ts';
import { type FeedServer, startFeedServer } from './feed.fixture.ts';
import { replicaReads } from './replica.reads.ts';
import { createReplicaRepository, type ReplicaRepository } from './replica.repository.ts';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const machine = (code: string, id = randomUUID()) => ({ id, code, name: `Machine ${code}`, lineId: null });
const material = (code: string, id = randomUUID()) => ({ id, code, name: `Material ${code}`, unit: 'pcs' });

async function setup({ pageSize = 2 } = {}) {
  const dir = tempDir('unison-downlink-');
  cleanups.push(() => dir.remove());
  const keys = await makeKeyPair();
  const identity = {
    edgeId: randomUUID(),
    organizationId: randomUUID(),
    plantId: randomUUID(),
    cloudUrl: 'unused',
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  } as EdgeIdentity;
  const feed = await startFeedServer({ edgePublicKey: keys.publicKey, pageSize });
  cleanups.push(() => feed.stop());
  const file = join(dir.path, 'edge.db');
  let database: EdgeDatabase;
  let replica: ReplicaRepository;
  let downlink: Downlink | undefined;
  const open = () => {
    database = openEdgeDatabase(file);
    replica = createReplicaRepository(database.sqlite);
  };
  const start = () => {
    downlink = startDownlink({
      replica,
      identity: Promise.resolve(identity),
      cloudUrl: feed.url,
      log,
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      idleIntervalMs: 20,
    });
    return downlink;
  };
  const stop = async () => {
    await downlink?.stop();
    downlink = undefined;
  };
  open();
  cleanups.push(async () => {
    await stop();
    database.close();
  });
  return {
    feed,
    start,
    stop,
    /** Closes and reopens the SQLite file, as a restarted edge would. */
    reopen: async () => {
      await stop();
      database.close();
      open();
    },
    replica: () => replica,
    reads: () => replicaReads(database.sqlite),
    sqlite: () => database.sqlite,
    status: () => downlink!.status(),
  };
}

/** Waits until the replica has caught up with the feed and the downlink is long-polling. */
const caughtUp = (feed: FeedServer, env: { replica: () => ReplicaRepository }) =>
  waitFor(
    () =>
      env.replica().state().version === feed.version() &&
      feed.holding() === 1 &&
      !env.replica().state().snapshotActive
        ? true
        : undefined,
    { what: `replica at version ${feed.version()}`, intervalMs: 20 },
  );

describe('downlink', () => {
  it('applies a snapshot over several pages, emptying what the replica held before', async () => {
    const env = await setup({ pageSize: 2 });
    const { feed } = env;
    // Left over from an earlier snapshot: the reset page must remove it.
    env.replica().applyPage(
      {
        kind: 'snapshot',
        reset: true,
        changes: [
          { op: 'upsert', version: 1, entity: 'machine', id: machine('OLD').id, row: machine('OLD') },
        ],
        cursor: 'log:1',
        more: false,
        skipped: [],
      },
      Date.now(),
    );
    // Its cursor is unknown to this feed: start from scratch instead.
    env.replica().restartSnapshot(Date.now());

    const machines = ['M1', 'M2', 'M3'].map((code) => machine(code));
    for (const row of machines) feed.upsert('machine', row);
    feed.upsert('material', material('STEEL'));
    feed.upsert('role', {
      id: randomUUID(),
      key: 'supervisor',
      name: 'Supervisor',
      permissions: ['machines:write'],
    });
    env.start();
    await caughtUp(feed, env);

    const snapshotRequests = env.feed.requests.filter(
      (r) => r.cursor === null || r.cursor.startsWith('snap:'),
    );
    expect(snapshotRequests).toHaveLength(3);
    expect(snapshotRequests[0]!.cursor).toBeNull();
    expect(
      env
        .reads()
        .list('machine')
        .map((m) => m.code)
        .sort(),
    ).toEqual(['M1', 'M2', 'M3']);
    const status = env.status();
    expect(status).toMatchObject({
      state: 'ok',
      version: 5,
      snapshot: { active: false, rows: 5 },
      rows: { machine: 3, material: 1, role: 1, user: 0 },
      skippedRows: 0,
      errors: 0,
    });
    expect(status.snapshot.completedAt).toBeDefined();
    expect(status.lastSyncAgeMs).toBeLessThan(10_000);
  });

  it('applies live changes and tombstones while long-polling', async () => {
    const env = await setup();
    const { feed } = env;
    const press = machine('PRESS');
    const steel = material('STEEL');
    feed.upsert('machine', press);
    feed.upsert('material', steel);
    env.start();
    await caughtUp(feed, env);

    feed.upsert('machine', { ...press, name: 'Press, renamed' });
    feed.remove('material', steel.id);
    const user = {
      id: randomUUID(),
      email: 'Ada@Plant.example',
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
      active: true,
      roleIds: [],
      plantIds: '*' as const,
    };
    feed.upsert('user', user);
    await caughtUp(feed, env);

    expect(env.reads().get('machine', press.id)?.name).toBe('Press, renamed');
    expect(env.reads().get('material', steel.id)).toBeUndefined();
    expect(env.reads().userByEmail('ada@plant.example')?.id).toBe(user.id);
    expect(env.status().rows).toMatchObject({ machine: 1, material: 0, user: 1 });
    // Live pages came from the change log, none from a second snapshot.
    expect(feed.requests.filter((r) => r.cursor === null)).toHaveLength(1);
    expect(feed.requests.every((r) => r.wait === 25)).toBe(true);
  });

  it('starts a new snapshot when the cloud answers refetch', async () => {
    const env = await setup();
    const { feed } = env;
    const kept = machine('KEPT');
    const gone = machine('GONE');
    feed.upsert('machine', kept);
    feed.upsert('machine', gone);
    env.start();
    await caughtUp(feed, env);

    // While the edge waits, its position falls out of the retained log.
    feed.remove('machine', gone.id);
    feed.upsert('machine', machine('NEW'));
    feed.expireLog();
    await waitFor(() => (feed.requests.filter((r) => r.cursor === null).length === 2 ? true : undefined));
    await caughtUp(feed, env);

    expect(
      env
        .reads()
        .list('machine')
        .map((m) => m.code)
        .sort(),
    ).toEqual(['KEPT', 'NEW']);
    expect(env.status()).toMatchObject({ state: 'ok', snapshot: { active: false, rows: 2 }, version: 4 });
  });

  it('skips a row the contract refuses, counts it and applies the rest of the page', async () => {
    const env = await setup();
    const { feed } = env;
    const good = machine('GOOD');
    const alsoGood = material('ALU');
    const bad = { id: randomUUID(), code: 'BAD' }; // no name, no lineId
    feed.answerNext(
      { status: 200, body: { kind: 'mystery', changes: [] } },
      {
        status: 200,
        body: {
          kind: 'snapshot',
          reset: true,
          changes: [
            { op: 'upsert', version: 1, entity: 'machine', id: good.id, row: good },
            { op: 'upsert', version: 2, entity: 'machine', id: bad.id, row: bad },
            { op: 'upsert', version: 3, entity: 'gadget', id: 'x', row: {} },
            { op: 'upsert', version: 4, entity: 'material', id: alsoGood.id, row: alsoGood },
          ],
          cursor: 'log:4',
          more: false,
        },
      },
    );
    env.start();
    await waitFor(() => (env.replica().state().cursor === 'log:4' ? true : undefined), { intervalMs: 20 });

    expect(env.reads().get('machine', good.id)?.code).toBe('GOOD');
    expect(env.reads().get('material', alsoGood.id)?.code).toBe('ALU');
    expect(env.reads().get('machine', bad.id)).toBeUndefined();
    // The malformed page was refused whole and asked again; the bad rows were skipped and counted.
    expect(env.status()).toMatchObject({ state: 'ok', skippedRows: 2, errors: 1, version: 4 });
    expect(env.replica().state().cursor).toBe('log:4');
  });

  it('applies nothing of a page whose transaction fails, keeps the cursor, and retries it', async () => {
    const env = await setup({ pageSize: 10 });
    const { feed } = env;
    feed.upsert('machine', machine('BEFORE'));
    env.start();
    await caughtUp(feed, env);
    const cursorBefore = env.replica().state().cursor;

    const first = machine('FIRST');
    const poisoned = machine('POISONED');
    // The store fails in the middle of the page, after the first row was written.
    env.sqlite().exec(`CREATE TEMP TRIGGER fail_midway BEFORE INSERT ON main.replica
      WHEN NEW.id = '${poisoned.id}' BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END`);
    feed.upsert('machine', first);
    feed.upsert('machine', poisoned);
    await waitFor(() => (env.status().errors >= 2 ? true : undefined), { what: 'failed applies' });

    expect(env.reads().get('machine', first.id)).toBeUndefined();
    expect(env.replica().state().cursor).toBe(cursorBefore);
    expect(env.status()).toMatchObject({ state: 'failing', lastError: expect.stringContaining('simulated') });

    env.sqlite().exec('DROP TRIGGER fail_midway');
    await caughtUp(feed, env);
    expect(env.reads().get('machine', first.id)?.code).toBe('FIRST');
    expect(env.reads().get('machine', poisoned.id)?.code).toBe('POISONED');
    expect(env.status().state).toBe('ok');
  });

  it('keeps its cursor across a restart and continues from it', async () => {
    const env = await setup();
    const { feed } = env;
    for (const code of ['A', 'B', 'C']) feed.upsert('machine', machine(code));
    env.start();
    await caughtUp(feed, env);
    feed.upsert('material', material('LATE'));
    await caughtUp(feed, env);
    const before = env.replica().state();

    await env.reopen();
    expect(env.replica().state()).toEqual(before);
    expect(env.reads().list('machine')).toHaveLength(3);

    const requestsBefore = feed.requests.length;
    feed.upsert('machine', machine('D'));
    env.start();
    await caughtUp(feed, env);
    const afterRestart = feed.requests.slice(requestsBefore);
    expect(afterRestart[0]!.cursor).toBe(before.cursor);
    expect(afterRestart.some((r) => r.cursor === null)).toBe(false);
    expect(env.reads().list('machine')).toHaveLength(4);
  });

  it('stops at once while a long-poll is held', async () => {
    const env = await setup();
    const { feed } = env;
    feed.upsert('machine', machine('A'));
    env.start();
    await caughtUp(feed, env);

    const startedMs = Date.now();
    await env.stop();
    // The feed would hold the request for 25 s.
    expect(Date.now() - startedMs).toBeLessThan(3000);
    await waitFor(() => (feed.holding() === 0 ? true : undefined), { what: 'the held request to end' });
  });

  it('backs off on an overloaded cloud, honouring Retry-After', async () => {
    const env = await setup();
    const { feed } = env;
    feed.answerNext({
      status: 503,
      body: { title: 'Service Unavailable', status: 503 },
      headers: { 'retry-after': '1' },
    });
    feed.upsert('machine', machine('A'));
    env.start();
    await waitFor(() => (env.status().state === 'unreachable' ? true : undefined), { intervalMs: 10 });
    const refusedAtMs = Date.now();
    await caughtUp(feed, env);
    expect(Date.now() - refusedAtMs).toBeGreaterThanOrEqual(800);
    expect(env.status()).toMatchObject({ state: 'ok', errors: 1, lastError: expect.stringContaining('503') });
  });
});
