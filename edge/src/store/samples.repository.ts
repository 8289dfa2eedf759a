import type { Quality, SampleValue } from '@unison/contracts';
import { count, eq } from './drizzle.ts';
import { reserveSeqs } from './outbox.repository.ts';
import { localBytes, samplePoints } from './schema.ts';
import { seriesIds } from './series.ids.ts';
import type { EdgeDb } from './sqlite.ts';
import { hotStatements } from './statements.ts';

export interface RecordedSample {
  id: string;
  machine: string;
  tag: string;
  tsMs: number;
  value: SampleValue;
  quality: Quality;
}

// Samples of one message or one poll share their timestamp; formatting it is the costly part of the record.
let lastTsMs = Number.NaN;
let lastTsIso = '';
function isoTime(tsMs: number): string {
  if (tsMs !== lastTsMs) {
    lastTsIso = new Date(tsMs).toISOString();
    lastTsMs = tsMs;
  }
  return lastTsIso;
}

/**
 * The sample as it travels, without its seq: the JSON of `{ id, machine, tag, ts, value, quality }`,
 * written out directly (no object per sample) and taking the value already as JSON.
 */
export const sampleWireRecord = (r: RecordedSample, valueJson = JSON.stringify(r.value)) =>
  `{"id":${JSON.stringify(r.id)},"machine":${JSON.stringify(r.machine)},"tag":${JSON.stringify(r.tag)},"ts":"${isoTime(r.tsMs)}","value":${valueJson},"quality":${JSON.stringify(r.quality)}}`;

export function createSamplesRepository(db: EdgeDb) {
  const sqlite = db.$client;
  const statements = hotStatements(db);
  const series = seriesIds(db);
  const oldest = sqlite.prepare<[number], { id: number; sizeBytes: number }>(
    'SELECT id, size_bytes AS sizeBytes FROM sample_points ORDER BY id LIMIT ?',
  );
  const deleteThrough = sqlite.prepare<[number]>('DELETE FROM sample_points WHERE id <= ?');
  // Through the (series_id, ts_ms) index, one range per series, instead of a scan of every row.
  const deleteBefore = sqlite
    .prepare<[number], number>(
      `DELETE FROM sample_points WHERE series_id IN (SELECT id FROM series) AND ts_ms < ?
       RETURNING size_bytes`,
    )
    .pluck();

  return {
    /** Stores the samples and queues them in the samples stream in ONE transaction: both or neither. */
    insertMany(records: RecordedSample[]): void {
      const count = records.length;
      if (count === 0) return;
      const values = new Array<string>(count);
      const wire = new Array<string>(count);
      const sizes = new Array<number>(count);
      let totalBytes = 0;
      for (let i = 0; i < count; i++) {
        const r = records[i]!;
        const value = JSON.stringify(r.value);
        const record = sampleWireRecord(r, value);
        values[i] = value;
        wire[i] = record;
        totalBytes += sizes[i] = Buffer.byteLength(record);
      }
      const { insertSamplePoint, insertOutbox, addLocalBytes } = statements;
      let committed = false;
      try {
        statements.transaction(() => {
          let seq = reserveSeqs(statements, 'samples', count, totalBytes);
          for (let i = 0; i < count; i++) {
            const r = records[i]!;
            const size = sizes[i]!;
            const seriesId = series.resolve(r.machine, r.tag);
            insertSamplePoint.run(seriesId, r.tsMs, values[i]!, r.quality, size);
            insertOutbox.run('samples', seq++, r.id, r.tsMs, wire[i]!, size);
          }
          addLocalBytes.run(totalBytes);
        });
        // Inside a caller's transaction nothing is committed yet.
        committed = !sqlite.inTransaction;
      } finally {
        series.settle(committed);
      }
    },
    count(): number {
      return db.select({ n: count() }).from(samplePoints).get()?.n ?? 0;
    },
    localBytes(): number {
      return db.select().from(localBytes).where(eq(localBytes.name, 'samples')).get()?.bytes ?? 0;
    },
    /** Deletes the oldest local copies (rowid order is age) until about `bytes` are freed. */
    pruneOldest(bytes: number): { rows: number; bytes: number } {
      return statements.transaction(() => {
        const candidates = oldest.all(Math.max(1, Math.ceil(bytes / 64)));
        let freed = 0;
        let rows = 0;
        let throughId = 0;
        for (const row of candidates) {
          if (freed >= bytes) break;
          freed += row.sizeBytes;
          rows += 1;
          throughId = row.id;
        }
        if (rows === 0) return { rows: 0, bytes: 0 };
        deleteThrough.run(throughId);
        statements.addLocalBytes.run(-freed);
        return { rows, bytes: freed };
      });
    },
    /** Deletes local copies older than `tsMs`. */
    pruneBefore(tsMs: number): { rows: number; bytes: number } {
      return statements.transaction(() => {
        const sizes = deleteBefore.all(tsMs);
        let bytes = 0;
        for (const size of sizes) bytes += size;
        if (bytes !== 0) statements.addLocalBytes.run(-bytes);
        return { rows: sizes.length, bytes };
      });
    },
  };
}

export type SamplesRepository = ReturnType<typeof createSamplesRepository>;
