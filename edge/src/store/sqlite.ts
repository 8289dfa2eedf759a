import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from './drizzle.ts';
import { DDL } from './schema.ts';
import { upgradeSamplesToSeries, upgradeSingleStreamOutbox } from './upgrade.ts';

/** Drizzle over the connection; `$client` is the raw connection the hot paths prepare on. */
export type EdgeDb = BetterSQLite3Database & { $client: Database.Database };

export interface EdgeDatabase {
  db: EdgeDb;
  /** The raw connection, for diagnostics and tests that read the file as it is. */
  sqlite: Database.Database;
  file: string;
  close(): void;
}

/** Opens (creating if needed) the edge's SQLite file with the schema in place. */
export function openEdgeDatabase(
  file: string,
  { busyTimeoutMs = 5000, walCheckpointPages = 10_000 } = {},
): EdgeDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a power cut may lose the last commits but never corrupts the file.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // Checkpoints (each with its fsyncs) every ~40 MB of WAL instead of every 4 MB: a third more
  // samples/s at the recorder's rates. The limit truncates a WAL that grew past it back afterwards.
  sqlite.pragma(`wal_autocheckpoint = ${walCheckpointPages}`);
  sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  // IMMEDIATE: a reader that turns writer mid-transaction fails at once, busy timeout or not.
  sqlite
    .transaction(() => {
      upgradeSingleStreamOutbox(sqlite);
      upgradeSamplesToSeries(sqlite);
      sqlite.exec(DDL);
    })
    .immediate();
  return { db: drizzle({ client: sqlite }), sqlite, file, close: () => sqlite.close() };
}
