import { join } from 'node:path';
import type { Sample } from '@unison/contracts';
import { tempDir, waitFor } from '@unison/testkit';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createOutboxRepository } from '../store/outbox.repository.ts';
import { createSamplesRepository } from '../store/samples.repository.ts';
import { openEdgeDatabase } from '../store/sqlite.ts';
import { createRecorder } from './recorder.ts';

const dir = tempDir('unison-edge-recorder-');
afterAll(() => dir.remove());
const log = pino({ level: 'silent' });

const sample = (value: number, quality: Sample['quality'] = 'good'): Sample => ({
  machine: 'press-1',
  tag: 'speed',
  tsMs: 1_700_000_000_000 + value,
  value,
  quality,
});

describe('recorder', () => {
  it('writes buffered samples in batches and on stop', async () => {
    const database = openEdgeDatabase(join(dir.path, 'batches.db'));
    const samples = createSamplesRepository(database.db);
    const outbox = createOutboxRepository(database.db);
    const recorder = createRecorder({ samples, log, flushIntervalMs: 20, maxBatch: 50 });
    recorder.record([sample(1), sample(2)]);
    expect(samples.count()).toBe(0);
    await waitFor(() => (samples.count() === 2 ? true : undefined), { intervalMs: 5 });

    recorder.record(Array.from({ length: 120 }, (_, i) => sample(i)));
    recorder.record([sample(999)]);
    recorder.stop();
    expect(recorder.stats()).toMatchObject({ recorded: 123, dropped: 0, pending: 0 });
    const rows = outbox.head('samples', 1000);
    expect(rows).toHaveLength(123);
    expect(rows.every((row, i) => i === 0 || row.seq === rows[i - 1]!.seq + 1)).toBe(true);
    expect(new Set(rows.map((r) => r.id)).size).toBe(123);
    database.close();
  });

  it('drops only the sample that cannot be stored, never its neighbours', () => {
    const database = openEdgeDatabase(join(dir.path, 'poison.db'));
    const samples = createSamplesRepository(database.db);
    const recorder = createRecorder({ samples, log, flushIntervalMs: 10_000 });
    recorder.record([sample(1), sample(2, 'broken' as Sample['quality']), sample(3)]);
    recorder.stop();
    expect(recorder.stats()).toMatchObject({ recorded: 2, dropped: 1 });
    expect(
      createOutboxRepository(database.db)
        .head('samples', 10)
        .map((r) => r.record.value),
    ).toEqual([1, 3]);
    database.close();
  });

  it('splits a failing flush so only the bad samples are dropped, keeping seqs contiguous', () => {
    const database = openEdgeDatabase(join(dir.path, 'bisect.db'));
    const samples = createSamplesRepository(database.db);
    const recorder = createRecorder({ samples, log, flushIntervalMs: 10_000, maxBatch: 10_000 });
    const incoming = Array.from({ length: 1000 }, (_, i) =>
      i === 137 || i === 801 ? sample(i, 'broken' as Sample['quality']) : sample(i),
    );
    recorder.record(incoming);
    recorder.stop();
    expect(recorder.stats()).toMatchObject({ recorded: 998, dropped: 2, pending: 0 });
    const rows = createOutboxRepository(database.db).head('samples', 2000);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 998 }, (_, i) => i + 1));
    expect(rows.map((r) => r.record.value)).not.toContain(137);
    expect(samples.count()).toBe(998);
    database.close();
  });

  it('never holds more than maxBuffered samples: it writes at once instead', () => {
    const database = openEdgeDatabase(join(dir.path, 'bounded.db'));
    const samples = createSamplesRepository(database.db);
    const recorder = createRecorder({
      samples,
      log,
      flushIntervalMs: 10_000,
      maxBatch: 10_000,
      maxBuffered: 100,
    });
    recorder.record(Array.from({ length: 250 }, (_, i) => sample(i)));
    expect(recorder.stats()).toMatchObject({ recorded: 200, pending: 50 });
    expect(samples.count()).toBe(200);
    recorder.stop();
    expect(samples.count()).toBe(250);
    database.close();
  });
});
