import type { Quality, SampleValue } from '@unison/contracts';
import { asc, count, eq, inArray, lt, sql } from 'drizzle-orm';
import { createOutboxRepository } from './outbox.repository.ts';
import { localBytes, samples } from './schema.ts';
import type { EdgeDb } from './sqlite.ts';

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

/** The sample as it travels, without its seq. */
export const sampleWireRecord = (r: RecordedSample) =>
  JSON.stringify({
    id: r.id,
    machine: r.machine,
    tag: r.tag,
    ts: new Date(r.tsMs).toISOString(),
    value: r.value,
    quality: r.quality,
  });

export function createSamplesRepository(db: EdgeDb) {
  const outbox = createOutboxRepository(db);
  const addLocalBytes = (tx: EdgeDb, bytes: number) =>
    tx
      .update(localBytes)
      .set({ bytes: sql`${localBytes.bytes} + ${bytes}` })
      .where(eq(localBytes.name, 'samples'))
      .run();

  const removeLocal = (where: ReturnType<typeof lt>) =>
    db.transaction((tx) => {
      const gone = tx.delete(samples).where(where).returning({ sizeBytes: samples.sizeBytes }).all();
      const bytes = gone.reduce((sum, row) => sum + row.sizeBytes, 0);
      addLocalBytes(tx, -bytes);
      return { rows: gone.length, bytes };
    });

  return {
    /** Stores the samples and queues them in the samples stream in ONE transaction: both or neither. */
    insertMany(records: RecordedSample[]): void {
      if (records.length === 0) return;
      const wire = records.map(sampleWireRecord);
      const rows = records.map((r, i) => ({
        ...r,
        value: JSON.stringify(r.value),
        sizeBytes: Buffer.byteLength(wire[i]!),
      }));
      db.transaction((tx) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          tx.insert(samples)
            .values(rows.slice(i, i + ROWS_PER_STATEMENT))
            .run();
        }
        addLocalBytes(
          tx,
          rows.reduce((sum, row) => sum + row.sizeBytes, 0),
        );
        outbox.append(
          tx,
          'samples',
          records.map((r, i) => ({ id: r.id, tsMs: r.tsMs, record: wire[i]! })),
        );
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
