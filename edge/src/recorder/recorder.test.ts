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
});
