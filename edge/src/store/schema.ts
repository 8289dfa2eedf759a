import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Every sample the edge has seen, kept locally for the LAN UI and for replay. */
export const samples = sqliteTable('samples', {
  id: text('id').primaryKey(),
  machine: text('machine').notNull(),
  tag: text('tag').notNull(),
  tsMs: integer('ts_ms').notNull(),
  /** JSON text: number, string, boolean or null. */
  value: text('value').notNull(),
  quality: text('quality').notNull(),
});

/** Records waiting for the cloud; `seq` is AUTOINCREMENT so a deleted seq is never handed out again. */
export const outbox = sqliteTable('outbox', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  id: text('id').notNull(),
  machine: text('machine').notNull(),
  tag: text('tag').notNull(),
  tsMs: integer('ts_ms').notNull(),
  value: text('value').notNull(),
  quality: text('quality').notNull(),
});

export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const DDL = `
CREATE TABLE IF NOT EXISTS samples (
  id TEXT PRIMARY KEY,
  machine TEXT NOT NULL,
  tag TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  value TEXT NOT NULL,
  quality TEXT NOT NULL CHECK (quality IN ('good', 'uncertain', 'bad'))
);
CREATE INDEX IF NOT EXISTS samples_machine_tag_ts ON samples (machine, tag, ts_ms);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  machine TEXT NOT NULL,
  tag TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  value TEXT NOT NULL,
  quality TEXT NOT NULL CHECK (quality IN ('good', 'uncertain', 'bad'))
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
