import type Database from 'better-sqlite3';
import type { EdgeDb } from './sqlite.ts';

/** The statements every write runs, prepared once per connection and reused. */
export interface HotStatements {
  insertSamplePoint: Database.Statement<[number, number, string, string, number]>;
  insertEvent: Database.Statement<[string, string, string | null, string, number, number | null, string]>;
  insertOutbox: Database.Statement<[string, number, string, number, string, number]>;
  /** Reserves `count` seqs of a stream and adds its bytes; yields the new last seq. */
  advanceStream: Database.Statement<[number, number, string], number>;
  addLocalBytes: Database.Statement<[number]>;
  /** Runs `write` in one IMMEDIATE transaction, or inside the caller's if one is open. */
  transaction<T>(write: () => T): T;
}

const prepared = new WeakMap<Database.Database, HotStatements>();

export function hotStatements(db: EdgeDb): HotStatements {
  const sqlite = db.$client;
  const known = prepared.get(sqlite);
  if (known) return known;
  const inTransaction = sqlite.transaction((write: () => unknown) => write());
  const statements: HotStatements = {
    insertSamplePoint: sqlite.prepare(
      'INSERT INTO sample_points (series_id, ts_ms, value, quality, size_bytes) VALUES (?, ?, ?, ?, ?)',
    ),
    insertEvent: sqlite.prepare(
      'INSERT INTO events (id, type, machine, source, ts_ms, duration_ms, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    insertOutbox: sqlite.prepare(
      'INSERT INTO outbox (stream, seq, id, ts_ms, record, size_bytes) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    advanceStream: sqlite
      .prepare<[number, number, string], number>(
        `UPDATE stream_state SET last_seq = last_seq + ?, outbox_bytes = outbox_bytes + ?
         WHERE stream = ? RETURNING last_seq`,
      )
      .pluck(),
    addLocalBytes: sqlite.prepare("UPDATE local_bytes SET bytes = bytes + ? WHERE name = 'samples'"),
    // better-sqlite3 turns a nested call into a savepoint, so callers may already be in a transaction.
    transaction: <T>(write: () => T): T => inTransaction.immediate(write) as T,
  };
  prepared.set(sqlite, statements);
  return statements;
}
