import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PlantConfig } from '@unison/config';
import { freePort, tempDir, waitFor } from '@unison/testkit';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeCloud, startFakeCloud } from '../../test/fake.cloud.ts';
import { producerEpoch } from '../store/meta.repository.ts';
import { createOutboxRepository } from '../store/outbox.repository.ts';
import { createSamplesRepository } from '../store/samples.repository.ts';
import { openEdgeDatabase } from '../store/sqlite.ts';
import { pendingKeysFile, readIdentity } from './identity.ts';
import { startUplink } from './uplink.ts';

const log = pino({ level: 'silent' });
const retry = { initialDelayMs: 20, maxDelayMs: 100 };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An edge data dir with `count` recorded samples and an uplink config pointing at `cloudUrl`. */
function edgeWith(
  count: number,
  cloudUrl: string,
  { enrollmentCode = 'enroll-code-123', batchSize = 4 } = {},
) {
  const dir = tempDir('unison-edge-uplink-');
  const database = openEdgeDatabase(join(dir.path, 'edge.db'));
  cleanups.push(
    () => dir.remove(),
    () => database.close(),
  );
  const samples = createSamplesRepository(database.db);
  const outbox = createOutboxRepository(database.db);
  const record = (n: number, from = 0) =>
    samples.insertMany(
      Array.from({ length: n }, (_, i) => ({
        id: crypto.randomUUID(),
        machine: 'press-1',
        tag: 'speed',
        tsMs: 1_700_000_000_000 + from + i,
        value: from + i,
        quality: 'good' as const,
      })),
    );
  record(count);
  const config: Pick<PlantConfig, 'edge' | 'cloud'> = {
    edge: { name: 'edge-1', plant: 'p1', dataDir: dir.path, http: { host: '127.0.0.1', port: 0 } },
    cloud: { url: cloudUrl, enrollmentCode, batchSize, uploadIntervalMs: 20 },
  };
  const epoch = producerEpoch(database.db);
  const start = () => {
    const uplink = startUplink({ config, outbox, epoch, log, retry });
    cleanups.push(() => uplink.stop());
    return uplink;
  };
  return { dir: dir.path, outbox, record, epoch, start };
}

async function cloud(options: Parameters<typeof startFakeCloud>[0] = {}): Promise<FakeCloud> {
  const fake = await startFakeCloud(options);
  cleanups.push(() => fake.stop());
  return fake;
}

const values = (fake: FakeCloud) => fake.stored.map((r) => r.value);
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('uplink', () => {
  it('enrolls once the cloud is up and delivers everything in order, exactly once', async () => {
    const port = await freePort();
    const edge = edgeWith(10, `http://127.0.0.1:${port}`);
    const uplink = edge.start();
    await waitFor(() => (uplink.status().cloud === 'unreachable' ? true : undefined));
    expect(uplink.status().edgeId).toBeUndefined();

    const fake = await cloud({ port });
    await waitFor(() => (edge.outbox.count() === 0 ? true : undefined), { what: 'empty outbox' });
    edge.record(5, 10);
    await waitFor(() => (fake.stored.length === 15 ? true : undefined));
    expect(values(fake)).toEqual(range(15));
    expect(fake.stored.map((r) => r.seq)).toEqual(range(15, 1));

    const status = uplink.status();
    expect(status).toMatchObject({ cloud: 'ok', uploaded: 15 });
    expect(status.lastUploadAt).toBeTruthy();
    const identity = readIdentity(join(edge.dir, 'identity.json'));
    expect(identity?.edgeId).toBe(status.edgeId);
    expect(fake.edges.has(identity!.edgeId)).toBe(true);
    expect(statSync(join(edge.dir, 'identity.json')).mode & 0o777).toBe(0o600);
    // Every upload carried a valid assertion with its own jti (the fake verifies signature, aud, iss, sub, exp).
    const uploads = fake.requests.filter((r) => r.path === '/api/v1/sync/upload');
    expect(fake.assertionErrors).toEqual([]);
    expect(fake.seenJti.size).toBe(uploads.length);
  });

  it('retries after a 500 and honours Retry-After on a 429 without losing a record', async () => {
    const fake = await cloud();
    fake.failNext(
      { status: 500, body: { title: 'boom' } },
      { status: 429, headers: { 'retry-after': '1' }, body: { title: 'slow down' } },
    );
    const edge = edgeWith(6, fake.url);
    const uplink = edge.start();
    await waitFor(() => (edge.outbox.count() === 0 ? true : undefined), { what: 'empty outbox' });
    expect(values(fake)).toEqual(range(6));
    const uploads = fake.requests.filter((r) => r.path === '/api/v1/sync/upload');
    expect(uploads.map((r) => r.status).slice(0, 3)).toEqual([500, 429, 200]);
    expect(uploads[2]!.atMs - uploads[1]!.atMs).toBeGreaterThanOrEqual(950);
    expect(uplink.status()).toMatchObject({
      cloud: 'ok',
      uploaded: 6,
      lastError: expect.stringContaining('429'),
    });
  });

  it('stores a batch once when its acknowledgement was lost', async () => {
    const fake = await cloud();
    fake.failNext({ status: 502, afterWrite: true, body: { title: 'bad gateway' } });
    const edge = edgeWith(6, fake.url);
    const uplink = edge.start();
    await waitFor(() => (edge.outbox.count() === 0 ? true : undefined), { what: 'empty outbox' });
    expect(values(fake)).toEqual(range(6));
    expect(uplink.status().uploaded).toBe(6);
  });

  it('resumes from the expected seq when the cloud already holds the head of the outbox', async () => {
    const fake = await cloud({ refuseReplays: true });
    const edge = edgeWith(10, fake.url);
    fake.setCursor(edge.epoch, 5);
    const uplink = edge.start();
    await waitFor(() => (edge.outbox.count() === 0 ? true : undefined), { what: 'empty outbox' });
    expect(fake.stored.map((r) => r.seq)).toEqual(range(5, 6));
    expect(fake.requests.filter((r) => r.status === 409)).toHaveLength(1);
    expect(uplink.status()).toMatchObject({ cloud: 'ok', uploaded: 10 });
  });

  it('keeps every record when the cloud expects a seq beyond what the edge has', async () => {
    const fake = await cloud({ refuseReplays: true });
    const edge = edgeWith(3, fake.url);
    fake.setCursor(edge.epoch, 100);
    const uplink = edge.start();
    await waitFor(() => (uplink.status().cloud === 'rejected' ? true : undefined));
    expect(edge.outbox.count()).toBe(3);
    expect(fake.stored).toEqual([]);
  });

  it('deletes only the records the cloud acknowledged', async () => {
    const fake = await cloud({ maxWritePerBatch: 3 });
    const edge = edgeWith(10, fake.url, { batchSize: 4 });
    const uplink = edge.start();
    await waitFor(() => (edge.outbox.count() === 0 ? true : undefined), { what: 'empty outbox' });
    expect(fake.stored.map((r) => r.seq)).toEqual(range(10, 1));
    expect(uplink.status().uploaded).toBe(10);
  });

  it('records locally and stays "not enrolled" without a code', async () => {
    const fake = await cloud();
    const edge = edgeWith(3, fake.url, { enrollmentCode: '' });
    const uplink = edge.start();
    await waitFor(() => (uplink.status().cloud === 'not enrolled' ? true : undefined));
    expect(edge.outbox.count()).toBe(3);
    expect(fake.requests).toEqual([]);
  });

  it('reports a refused enrollment code', async () => {
    const fake = await cloud();
    const edge = edgeWith(1, fake.url, { enrollmentCode: 'wrong-code-000' });
    const uplink = edge.start();
    await waitFor(() => (uplink.status().cloud === 'rejected' ? true : undefined));
    expect(uplink.status().lastError).toContain('403');
    expect(edge.outbox.count()).toBe(1);
  });

  it('keeps the key pair of an unanswered enrollment across a restart and enrolls with it', async () => {
    const port = await freePort();
    const edge = edgeWith(2, `http://127.0.0.1:${port}`);
    const identity = join(edge.dir, 'identity.json');
    const first = edge.start();
    await waitFor(() => (first.status().cloud === 'unreachable' ? true : undefined));
    await first.stop();
    // Saved before the first request: had the cloud taken the code, it knows this key.
    const pending = JSON.parse(readFileSync(pendingKeysFile(identity), 'utf8'));
    expect(statSync(pendingKeysFile(identity)).mode & 0o777).toBe(0o600);

    const fake = await cloud({ port });
    edge.start();
    await waitFor(() => (edge.outbox.count() === 0 ? true : undefined), { what: 'empty outbox' });
    const enrolled = readIdentity(identity)!;
    expect(enrolled.publicKey).toEqual(pending.publicKey);
    expect(enrolled.privateKey).toEqual(pending.privateKey);
    expect(fake.edges.get(enrolled.edgeId)?.publicKey).toEqual(pending.publicKey);
    expect(existsSync(pendingKeysFile(identity))).toBe(false);
  });
});
