import type { Quality, SampleValue } from '@unison/contracts';
import { asc, count, eq, inArray, lt } from 'drizzle-orm';
import { reserveSeqs } from './outbox.repository.ts';
import { localBytes, samples } from './schema.ts';
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

// Stays well below SQLite's bound-parameter limit per statement.
const ROWS_PER_STATEMENT = 500;

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

/** The sample as it travels, without its seq. */
export const sampleWireRecord = (r: RecordedSample) =>
  JSON.stringify({
    id: r.id,
    machine: r.machine,
    tag: r.tag,
    ts: isoTime(r.tsMs),
    value: r.value,
    quality: r.quality,
  });

export function createSamplesRepository(db: EdgeDb) {
  const statements = hotStatements(db);
  const removeLocal = (where: ReturnType<typeof lt>) =>
    db.transaction((tx) => {
      const gone = tx.delete(samples).where(where).returning({ sizeBytes: samples.sizeBytes }).all();
      const bytes = gone.reduce((sum, row) => sum + row.sizeBytes, 0);
      statements.addLocalBytes.run(-bytes);
      return { rows: gone.length, bytes };
    });

  return {
    /** Stores the samples and queues them in the samples stream in ONE transaction: both or neither. */
    insertMany(records: RecordedSample[]): void {
      const count = records.length;
      if (count === 0) return;
      const wire = new Array<string>(count);
      const sizes = new Array<number>(count);
      let totalBytes = 0;
      for (let i = 0; i < count; i++) {
        const record = sampleWireRecord(records[i]!);
        wire[i] = record;
        totalBytes += sizes[i] = Buffer.byteLength(record);
      }
      const { insertSample, insertOutbox, addLocalBytes } = statements;
      statements.transaction(() => {
        let seq = reserveSeqs(statements, 'samples', count, totalBytes);
        for (let i = 0; i < count; i++) {
          const r = records[i]!;
          const size = sizes[i]!;
          insertSample.run(r.id, r.machine, r.tag, r.tsMs, JSON.stringify(r.value), r.quality, size);
          insertOutbox.run('samples', seq++, r.id, r.tsMs, wire[i]!, size);
        }
        addLocalBytes.run(totalBytes);
      });
    },
    count(): number {
      return db.select({ n: count() }).from(samples).get()?.n ?? 0;
    },
    localBytes(): number {
      return db.select().from(localBytes).where(eq(localBytes.name, 'samples')).get()?.bytes ?? 0;
    },
    /** Deletes the oldest local copies (ids are UUIDv7, so id order is age) until about `bytes` are freed. */
    pruneOldest(bytes: number): { rows: number; bytes: number } {
      const oldest = db
        .select({ id: samples.id, sizeBytes: samples.sizeBytes })
        .from(samples)
        .orderBy(asc(samples.id))
        .limit(Math.max(1, Math.ceil(bytes / 64)))
        .all();
      const ids: string[] = [];
      let freed = 0;
      for (const row of oldest) {
        if (freed >= bytes) break;
        freed += row.sizeBytes;
        ids.push(row.id);
      }
      let total = { rows: 0, bytes: 0 };
      for (let i = 0; i < ids.length; i += ROWS_PER_STATEMENT) {
        const part = removeLocal(inArray(samples.id, ids.slice(i, i + ROWS_PER_STATEMENT)));
        total = { rows: total.rows + part.rows, bytes: total.bytes + part.bytes };
      }
      return total;
    },
    /** Deletes local copies older than `tsMs`. */
    pruneBefore: (tsMs: number) => removeLocal(lt(samples.tsMs, tsMs)),
  };
}

export type SamplesRepository = ReturnType<typeof createSamplesRepository>;
