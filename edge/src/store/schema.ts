import { integer, primaryKey, sqliteTable, text } from './drizzle.ts';

/** Each machine/tag pair once; local sample rows refer to it by its small integer id. */
export const series = sqliteTable('series', {
  id: integer('id').primaryKey(),
  machine: text('machine').notNull(),
  tag: text('tag').notNull(),
});

/**
 * Every sample the edge has seen, kept locally for the LAN UI; pruned oldest first by the buffer
 * budget. The rowid is the age order; the sample's uuid travels only in its outbox record.
 */
export const samplePoints = sqliteTable('sample_points', {
  id: integer('id').primaryKey(),
  seriesId: integer('series_id').notNull(),
  tsMs: integer('ts_ms').notNull(),
  /** JSON text: number, string, boolean or null. */
  value: text('value').notNull(),
  quality: text('quality').notNull(),
  sizeBytes: integer('size_bytes').notNull(),
});

/** Every event the edge has produced (state changes, counts, scans, alarms). */
export const events = sqliteTable('events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  machine: text('machine'),
  source: text('source').notNull(),
  tsMs: integer('ts_ms').notNull(),
  durationMs: integer('duration_ms'),
  /** JSON object text. */
  payload: text('payload').notNull(),
});

/**
 * Records waiting for the cloud, one sequence per stream. `record` is the wire record without its
 * seq, as JSON text; `sizeBytes` is its length, for the buffer budget.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    stream: text('stream').notNull(),
    seq: integer('seq').notNull(),
    id: text('id').notNull(),
    tsMs: integer('ts_ms').notNull(),
    record: text('record').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
  },
  (table) => [primaryKey({ columns: [table.stream, table.seq] })],
);

/**
 * Per stream: the last seq handed out (never lowered, so a seq is never reused), the outbox bytes
 * waiting, and what the budget dropped unsent.
 */
export const streamState = sqliteTable('stream_state', {
  stream: text('stream').primaryKey(),
  lastSeq: integer('last_seq').notNull(),
  outboxBytes: integer('outbox_bytes').notNull(),
  droppedThroughSeq: integer('dropped_through_seq').notNull(),
  droppedRows: integer('dropped_rows').notNull(),
  droppedBytes: integer('dropped_bytes').notNull(),
});

/** Bytes held by the local copies (the sample_points table), kept in step with every insert and prune. */
export const localBytes = sqliteTable('local_bytes', {
  name: text('name').primaryKey(),
  bytes: integer('bytes').notNull(),
});

export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const STREAMS = ['events', 'samples'] as const;
export type StreamName = (typeof STREAMS)[number];

/** The local sample tables; also what the upgrade from the one-table shape creates. */
export const SAMPLE_TABLES_DDL = `
CREATE TABLE IF NOT EXISTS series (
  id INTEGER PRIMARY KEY,
  machine TEXT NOT NULL,
  tag TEXT NOT NULL,
  UNIQUE (machine, tag)
);
CREATE TABLE IF NOT EXISTS sample_points (
  id INTEGER PRIMARY KEY,
  series_id INTEGER NOT NULL,
  ts_ms INTEGER NOT NULL,
  value TEXT NOT NULL,
  quality TEXT NOT NULL CHECK (quality IN ('good', 'uncertain', 'bad')),
  size_bytes INTEGER NOT NULL
);
`;

export const DDL = `${SAMPLE_TABLES_DDL}
CREATE INDEX IF NOT EXISTS sample_points_series_ts ON sample_points (series_id, ts_ms);
-- The readable shape, for the LAN UI's queries and for a person with the sqlite3 shell.
CREATE VIEW IF NOT EXISTS samples AS
  SELECT p.id, s.machine, s.tag, p.ts_ms, p.value, p.quality, p.size_bytes
  FROM sample_points p JOIN series s ON s.id = p.series_id;
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  machine TEXT,
  source TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  duration_ms INTEGER,
  payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  record TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  PRIMARY KEY (stream, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stream_state (
  stream TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL DEFAULT 0,
  outbox_bytes INTEGER NOT NULL DEFAULT 0,
  dropped_through_seq INTEGER NOT NULL DEFAULT 0,
  dropped_rows INTEGER NOT NULL DEFAULT 0,
  dropped_bytes INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO stream_state (stream) VALUES ('events'), ('samples');
CREATE TABLE IF NOT EXISTS local_bytes (
  name TEXT PRIMARY KEY,
  bytes INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO local_bytes (name) VALUES ('samples');
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
