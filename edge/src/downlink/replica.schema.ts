/**
 * The plant's replica of cloud data, one generic table: a row is the contract's JSON for its entity
 * (validated on the way in), so a new entity or field is a contract change, not an edge migration.
 * Lookups that must be fast get expression indexes.
 */
export const REPLICA_DDL = `
CREATE TABLE IF NOT EXISTS replica (
  entity TEXT NOT NULL,
  id TEXT NOT NULL,
  row TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (entity, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS replica_user_email
  ON replica (lower(json_extract(row, '$.email'))) WHERE entity = 'user';
CREATE TABLE IF NOT EXISTS downlink_state (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  cursor TEXT,
  version INTEGER NOT NULL DEFAULT 0,
  snapshot_active INTEGER NOT NULL DEFAULT 0,
  snapshot_rows INTEGER NOT NULL DEFAULT 0,
  snapshot_started_ms INTEGER,
  snapshot_completed_ms INTEGER,
  skipped_rows INTEGER NOT NULL DEFAULT 0,
  last_success_ms INTEGER,
  last_error TEXT
);
INSERT OR IGNORE INTO downlink_state (singleton) VALUES (1);
`;
