import type { Quality, SampleValue } from '@unison/contracts';
import { asc, count, lt, lte, max, min } from 'drizzle-orm';
import { outbox } from './schema.ts';
import type { EdgeDb } from './sqlite.ts';

export interface OutboxRecord {
  seq: number;
  id: string;
  machine: string;
  tag: string;
  tsMs: number;
  value: SampleValue;
  quality: Quality;
}

export function createOutboxRepository(db: EdgeDb) {
  return {
    /** The oldest `limit` records, in seq order. */
    head(limit: number): OutboxRecord[] {
      return db
        .select()
        .from(outbox)
        .orderBy(asc(outbox.seq))
        .limit(limit)
        .all()
        .map((row) => ({ ...row, value: JSON.parse(row.value), quality: row.quality as Quality }));
    },
    /** Deletes records up to and including `seq`; returns how many went. */
    deleteThrough(seq: number): number {
      return db.delete(outbox).where(lte(outbox.seq, seq)).run().changes;
    },
    deleteBelow(seq: number): number {
      return db.delete(outbox).where(lt(outbox.seq, seq)).run().changes;
    },
    count(): number {
      return db.select({ n: count() }).from(outbox).get()?.n ?? 0;
    },
    /** Rows waiting; cheap because rows only ever leave from the head, so seqs stay contiguous. */
    backlog(): number {
      const { minSeq, maxSeq } = this.range();
      return minSeq === null || maxSeq === null ? 0 : maxSeq - minSeq + 1;
    },
    range(): { minSeq: number | null; maxSeq: number | null } {
      const row = db
        .select({ minSeq: min(outbox.seq), maxSeq: max(outbox.seq) })
        .from(outbox)
        .get();
      return { minSeq: row?.minSeq ?? null, maxSeq: row?.maxSeq ?? null };
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
