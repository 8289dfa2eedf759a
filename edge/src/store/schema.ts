import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Every sample the edge has seen, kept locally for the LAN UI; pruned oldest first by the buffer budget. */
export const samples = sqliteTable('samples', {
  id: text('id').primaryKey(),
  machine: text('machine').notNull(),
  tag: text('tag').notNull(),
  tsMs: integer('ts_ms').notNull(),
  /** JSON text: number, string, boolean or null. */
  value: text('value').notNull(),
  quality: text('quality').notNull(),
  sizeBytes: integer('size_bytes').notNull().default(0),
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

/** Bytes held by the local copies (the samples table), kept in step with every insert and prune. */
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

export const DDL = `
CREATE TABLE IF NOT EXISTS samples (
  id TEXT PRIMARY KEY,
  machine TEXT NOT NULL,
  tag TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  value TEXT NOT NULL,
  quality TEXT NOT NULL CHECK (quality IN ('good', 'uncertain', 'bad')),
  size_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS samples_machine_tag_ts ON samples (machine, tag, ts_ms);
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
