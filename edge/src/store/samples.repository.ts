import type { Quality, SampleValue } from '@unison/contracts';
import { count } from 'drizzle-orm';
import { outbox, samples } from './schema.ts';
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
const ROWS_PER_STATEMENT = 1000;

export function createSamplesRepository(db: EdgeDb) {
  return {
    /** Stores the samples and queues them for upload in ONE transaction: both or neither. */
    insertMany(records: RecordedSample[]): void {
      if (records.length === 0) return;
      const rows = records.map((r) => ({ ...r, value: JSON.stringify(r.value) }));
      db.transaction((tx) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
          tx.insert(samples).values(chunk).run();
          tx.insert(outbox).values(chunk).run();
        }
      });
    },
    count(): number {
      return db.select({ n: count() }).from(samples).get()?.n ?? 0;
    },
  };
}

export type SamplesRepository = ReturnType<typeof createSamplesRepository>;
