import type Database from 'better-sqlite3';
import { SAMPLE_TABLES_DDL } from './schema.ts';

const hasColumn = (sqlite: Database.Database, table: string, column: string) =>
  (sqlite.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).some((c) => c.name === column);

/**
 * Databases from before streams had one AUTOINCREMENT outbox of samples: its rows move into the
 * samples stream with their seqs, and the counter continues where the old sequence stood.
 */
export function upgradeSingleStreamOutbox(sqlite: Database.Database): void {
  const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
    name: string;
  }[];
  const names = new Set(tables.map((t) => t.name));
  if (names.has('samples') && !hasColumn(sqlite, 'samples', 'size_bytes')) {
    sqlite.exec('ALTER TABLE samples ADD COLUMN size_bytes INTEGER NOT NULL DEFAULT 0');
  }
  if (!names.has('outbox') || hasColumn(sqlite, 'outbox', 'stream')) return;
  const lastSeq = (
    sqlite
      .prepare(
        `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),
                coalesce((SELECT max(seq) FROM outbox), 0)) AS lastSeq`,
      )
      .get() as { lastSeq: number }
  ).lastSeq;
  sqlite.exec('ALTER TABLE outbox RENAME TO outbox_single_stream');
  sqlite.exec(`
      CREATE TABLE outbox (
        stream TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, ts_ms INTEGER NOT NULL,
        record TEXT NOT NULL, size_bytes INTEGER NOT NULL, PRIMARY KEY (stream, seq)
      ) WITHOUT ROWID;
      INSERT INTO outbox (stream, seq, id, ts_ms, record, size_bytes)
        SELECT 'samples', seq, id, ts_ms, r, length(CAST(r AS BLOB)) FROM (
          SELECT seq, id, ts_ms, json_object('id', id, 'machine', machine, 'tag', tag,
            'ts', strftime('%Y-%m-%dT%H:%M:%fZ', ts_ms / 1000.0, 'unixepoch'),
            'value', json(value), 'quality', quality) AS r
          FROM outbox_single_stream);
      DROP TABLE outbox_single_stream;
      CREATE TABLE IF NOT EXISTS stream_state (
        stream TEXT PRIMARY KEY, last_seq INTEGER NOT NULL DEFAULT 0,
        outbox_bytes INTEGER NOT NULL DEFAULT 0, dropped_through_seq INTEGER NOT NULL DEFAULT 0,
        dropped_rows INTEGER NOT NULL DEFAULT 0, dropped_bytes INTEGER NOT NULL DEFAULT 0
      );`);
  sqlite
    .prepare(
      `INSERT INTO stream_state (stream, last_seq, outbox_bytes)
       VALUES ('samples', ?, (SELECT coalesce(sum(size_bytes), 0) FROM outbox WHERE stream = 'samples'))`,
    )
    .run(lastSeq);
}

/**
 * Databases from before series: the one `samples` table (uuid key, machine and tag text on every
 * row) moves into `series` + `sample_points`, oldest first, so the rowid keeps the age order that
 * the uuidv7 gave; sizes move along, so `local_bytes` stays right. `samples` becomes a view.
 */
export function upgradeSamplesToSeries(sqlite: Database.Database): void {
  const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'samples'").get();
  if (!table) return;
  sqlite.exec(`${SAMPLE_TABLES_DDL}
    INSERT OR IGNORE INTO series (machine, tag) SELECT DISTINCT machine, tag FROM samples ORDER BY machine, tag;
    INSERT INTO sample_points (series_id, ts_ms, value, quality, size_bytes)
      SELECT s.id, o.ts_ms, o.value, o.quality, o.size_bytes
      FROM samples o JOIN series s ON s.machine = o.machine AND s.tag = o.tag
      ORDER BY o.id;
    DROP TABLE samples;`);
}
