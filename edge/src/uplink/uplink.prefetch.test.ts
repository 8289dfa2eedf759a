import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { PlantConfig } from '@unison/config';
import { tempDir, waitFor } from '@unison/testkit';
import pino from 'pino';
import { uuidv7 } from 'uuidv7';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeCloud, startFakeCloud } from '../../test/fake.cloud.ts';
import { createEventsRepository } from '../store/events.repository.ts';
import { producerEpoch } from '../store/meta.repository.ts';
import { createOutboxRepository } from '../store/outbox.repository.ts';
import { createSamplesRepository } from '../store/samples.repository.ts';
import { openEdgeDatabase } from '../store/sqlite.ts';
import { type CloudClient, createCloudClient, type EncodedBody } from './cloud.client.ts';
import { startUplink } from './uplink.ts';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface SentBatch {
  stream: string;
  seqs: number[];
  droppedThroughSeq?: number;
  /** Outbox rows of the batch's stream when it was sent. */
  outboxRows: number;
}

/**
 * The edge's cloud client against a fake cloud, with the answers held back while `hold` is on: a
 * test can act while one batch is on its way and the next is prepared.
 */
function heldCloud(fake: FakeCloud, outbox: ReturnType<typeof createOutboxRepository>) {
  const client = createCloudClient({ baseUrl: fake.url });
  const sent: SentBatch[] = [];
  let encoded = 0;
  let answers: PromiseWithResolvers<void> | undefined;
  let waiting = 0;
  const cloud: CloudClient = {
    enroll: client.enroll,
    async encode(json) {
      encoded += 1;
      return client.encode(json);
    },
    async upload(batch, token, signal, onSent) {
      const body = batch as EncodedBody;
      const text = body.gzip ? gunzipSync(body.payload as Uint8Array).toString('utf8') : String(body.payload);
      const json = JSON.parse(text);
      sent.push({
        stream: json.stream,
        seqs: json.records.map((r: { seq: number }) => r.seq),
        droppedThroughSeq: json.droppedThroughSeq,
        outboxRows: outbox.count(json.stream),
      });
      const outcome = await client.upload(batch, token, signal, onSent);
      const held = answers;
      if (held) {
        waiting += 1;
        const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));
        await Promise.race([held.promise, aborted]);
        waiting -= 1;
      }
      return outcome;
    },
  };
  return {
    cloud,
    sent,
    encoded: () => encoded,
    /** Answers wait from now on, until `release`. */
    hold() {
      answers = Promise.withResolvers<void>();
    },
    release() {
      answers?.resolve();
      answers = undefined;
    },
    /** Resolves once an answer is held and `preparedAhead` bodies were encoded after it. */
    async held(encodedAtLeast: number) {
      await waitFor(() => (waiting > 0 && encoded >= encodedAtLeast ? true : undefined), {
        what: 'a held answer and the next batch prepared',
      });
    },
  };
}

async function edgeWith(samplesCount: number, { batchSize = 10 } = {}) {
  const fake = await startFakeCloud();
  const dir = tempDir('unison-edge-prefetch-');
  const database = openEdgeDatabase(join(dir.path, 'edge.db'));
  cleanups.push(
    () => dir.remove(),
    () => database.close(),
    () => fake.stop(),
  );
  const samples = createSamplesRepository(database.db);
  const events = createEventsRepository(database.db);
  const outbox = createOutboxRepository(database.db);
  samples.insertMany(
    Array.from({ length: samplesCount }, (_, i) => ({
      id: uuidv7(),
      machine: 'press-1',
      tag: 'speed',
      tsMs: 1_700_000_000_000 + i,
      value: i,
      quality: 'good' as const,
    })),
  );
  const recordEvents = (count: number) =>
    events.insertMany(
      Array.from({ length: count }, (_, i) => ({
        id: uuidv7(),
        type: 'machine.state',
        machine: 'press-1',
        source: 'machine-model',
        tsMs: 1_700_000_100_000 + i,
        payload: { state: 'running' },
      })),
    );
  const held = heldCloud(fake, outbox);
  const config: Pick<PlantConfig, 'edge' | 'cloud'> = {
    edge: { name: 'edge-1', plant: 'p1', dataDir: dir.path, http: { host: '127.0.0.1', port: 0 } },
    cloud: { url: fake.url, enrollmentCode: 'enroll-code-123', batchSize, uploadIntervalMs: 20 },
  };
  const epoch = producerEpoch(database.db);
  const start = (cloud: CloudClient = held.cloud) => {
    const uplink = startUplink({
      config,
      outbox,
      epoch,
      log,
      cloud,
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    cleanups.push(() => uplink.stop());
    return uplink;
  };
  const emptied = () => waitFor(() => (outbox.count() === 0 ? true : undefined), { what: 'empty outbox' });
  return { fake, outbox, held, recordEvents, start, emptied, epoch };
}

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

describe('uplink: the next batch prepared while one is on its way', () => {
  it('sends the prepared batch on the answer and deletes the acknowledged rows only after', async () => {
    const edge = await edgeWith(30);
    edge.start();
    await edge.emptied();
    expect(edge.held.sent.map((b) => b.seqs)).toEqual([range(10), range(10, 11), range(10, 21)]);
    // Each batch left while the one before was still in the outbox, acknowledged but not yet deleted.
    expect(edge.held.sent.map((b) => b.outboxRows)).toEqual([30, 30, 20]);
    expect(edge.fake.stored.map((r) => r.seq)).toEqual(range(30));
  });

  it('drops a prepared samples batch when events arrive, so the events go first', async () => {
    const edge = await edgeWith(30);
    edge.held.hold();
    edge.start();
    await edge.held.held(2);
    edge.recordEvents(3);
    edge.held.release();
    await edge.emptied();
    expect(edge.held.sent.map((b) => [b.stream, b.seqs[0]])).toEqual([
      ['samples', 1],
      ['events', 1],
      ['samples', 11],
      ['samples', 21],
    ]);
    expect(edge.fake.stored.map((r) => r.seq)).toEqual(range(30));
    expect(edge.fake.storedEvents.map((r) => r.seq)).toEqual(range(3));
  });

  it('rebuilds a prepared batch whose records the buffer budget dropped, with the new drop mark', async () => {
    const edge = await edgeWith(30);
    edge.held.hold();
    edge.start();
    await edge.held.held(2);
    // Samples 1-10 are on their way and 11-20 prepared when the budget drops 1-15.
    const bytes = edge.outbox.head('samples', 15).reduce((sum, r) => sum + r.sizeBytes, 0);
    expect(edge.outbox.dropOldest('samples', bytes).rows).toBe(15);
    edge.held.release();
    await edge.emptied();
    expect(edge.held.sent.map((b) => [b.seqs[0], b.seqs.at(-1), b.droppedThroughSeq])).toEqual([
      [1, 10, undefined],
      [16, 25, 15],
      [26, 30, 15],
    ]);
    expect(edge.fake.stored.map((r) => r.seq)).toEqual([...range(10), ...range(15, 16)]);
  });

  it('drops the prepared batch on a 409 gap answer and resumes where the cloud expects', async () => {
    const edge = await edgeWith(25);
    edge.fake.setCursor(edge.epoch, 5);
    edge.fake.failNext({
      status: 409,
      body: { type: 'gap', title: 'gap', status: 409, detail: 'gap', expectedSeq: 6 },
    });
    edge.start();
    await edge.emptied();
    expect(edge.held.sent.map((b) => b.seqs[0])).toEqual([1, 6, 16]);
    expect(edge.fake.stored.map((r) => r.seq)).toEqual(range(20, 6));
  });

  it('drops the prepared batch on a failed upload and resends from the head', async () => {
    const edge = await edgeWith(20);
    edge.fake.failNext({ status: 503, headers: { 'retry-after': '0' }, body: { title: 'busy' } });
    edge.start();
    await edge.emptied();
    expect(edge.held.sent.map((b) => b.seqs[0])).toEqual([1, 1, 11]);
    expect(edge.fake.stored.map((r) => r.seq)).toEqual(range(20));
  });

  it('sends nothing prepared once stopped, and a restart delivers everything once', async () => {
    const edge = await edgeWith(30);
    edge.held.hold();
    const first = edge.start();
    await edge.held.held(2);
    await first.stop();
    expect(edge.held.sent).toHaveLength(1);
    expect(edge.fake.uploads).toHaveLength(1);
    // The answer came after the stop: nothing is deleted, the batch is resent and acknowledged again.
    expect(edge.outbox.count()).toBe(30);

    edge.held.release();
    edge.start();
    await edge.emptied();
    expect(edge.fake.stored.map((r) => r.seq)).toEqual(range(30));
  });
});
