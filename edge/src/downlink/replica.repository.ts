import { CHANGE_ENTITIES, type ChangeEntity } from '@unison/contracts';
import type Database from 'better-sqlite3';
import type { CheckedPage } from './changes.page.ts';
import { REPLICA_DDL } from './replica.schema.ts';

export interface DownlinkState {
  /** Where the feed continues; null before the first page and after a refetch. */
  cursor: string | null;
  /** Highest change version applied since the last reset. */
  version: number;
  /** A snapshot began (its reset page applied) and has not reached the change log yet. */
  snapshotActive: boolean;
  snapshotRows: number;
  snapshotStartedMs: number | null;
  snapshotCompletedMs: number | null;
  /** Changes refused by validation, ever. */
  skippedRows: number;
  lastSuccessMs: number | null;
  lastError: string | null;
}

type DataPage = Extract<CheckedPage, { kind: 'snapshot' | 'changes' }>;

interface StateRow {
  cursor: string | null;
  version: number;
  snapshot_active: number;
  snapshot_rows: number;
  snapshot_started_ms: number | null;
  snapshot_completed_ms: number | null;
  skipped_rows: number;
  last_success_ms: number | null;
  last_error: string | null;
}

/** The replica tables and the feed's position in them; every page lands in one transaction. */
export function createReplicaRepository(sqlite: Database.Database) {
  sqlite.transaction(() => sqlite.exec(REPLICA_DDL)).immediate();
  const readState = sqlite.prepare('SELECT * FROM downlink_state WHERE singleton = 1');
  const clear = sqlite.prepare('DELETE FROM replica');
  // A version never goes back: an older copy of a row (e.g. replayed after a snapshot page) is ignored.
  const upsert = sqlite.prepare(
    `INSERT INTO replica (entity, id, row, version) VALUES (?, ?, ?, ?)
     ON CONFLICT (entity, id) DO UPDATE SET row = excluded.row, version = excluded.version
     WHERE excluded.version >= replica.version`,
  );
  const remove = sqlite.prepare('DELETE FROM replica WHERE entity = ? AND id = ? AND version <= ?');
  const beginSnapshot = sqlite.prepare(
    `UPDATE downlink_state SET version = 0, snapshot_active = 1, snapshot_rows = 0,
       snapshot_started_ms = ?, snapshot_completed_ms = NULL WHERE singleton = 1`,
  );
  const advance = sqlite.prepare(
    `UPDATE downlink_state SET cursor = @cursor, version = max(version, @version),
       snapshot_rows = snapshot_rows + @snapshotRows, skipped_rows = skipped_rows + @skipped,
       snapshot_active = CASE WHEN @snapshotDone THEN 0 ELSE snapshot_active END,
       snapshot_completed_ms = CASE WHEN @snapshotDone AND snapshot_active = 1
         THEN @nowMs ELSE snapshot_completed_ms END,
       last_success_ms = @nowMs, last_error = NULL
     WHERE singleton = 1`,
  );
  const dropCursor = sqlite.prepare(
    'UPDATE downlink_state SET cursor = NULL, last_success_ms = ?, last_error = NULL WHERE singleton = 1',
  );
  const setError = sqlite.prepare('UPDATE downlink_state SET last_error = ? WHERE singleton = 1');
  const countRows = sqlite.prepare('SELECT entity, count(*) AS n FROM replica GROUP BY entity');

  const applyPage = sqlite.transaction((page: DataPage, nowMs: number) => {
    if (page.kind === 'snapshot' && page.reset) {
      clear.run();
      beginSnapshot.run(nowMs);
    }
    let version = 0;
    for (const change of page.changes) {
      if (change.op === 'upsert')
        upsert.run(change.entity, change.id, JSON.stringify(change.row), change.version);
      else remove.run(change.entity, change.id, change.version);
      version = Math.max(version, change.version);
    }
    // The feed reached the change log: either a change page, or a snapshot page with nothing after it.
    const snapshotDone = page.kind === 'changes' || !page.more;
    advance.run({
      cursor: page.cursor,
      version,
      snapshotRows: page.kind === 'snapshot' ? page.changes.length : 0,
      skipped: page.skipped.length,
      snapshotDone: snapshotDone ? 1 : 0,
      nowMs,
    });
  });

  return {
    state(): DownlinkState {
      const row = readState.get() as StateRow;
      return {
        cursor: row.cursor,
        version: row.version,
        snapshotActive: row.snapshot_active === 1,
        snapshotRows: row.snapshot_rows,
        snapshotStartedMs: row.snapshot_started_ms,
        snapshotCompletedMs: row.snapshot_completed_ms,
        skippedRows: row.skipped_rows,
        lastSuccessMs: row.last_success_ms,
        lastError: row.last_error,
      };
    },
    /** Applies the page's changes and stores its cursor, all or nothing. */
    applyPage: (page: DataPage, nowMs: number): void => applyPage.immediate(page, nowMs),
    /** The cloud cannot continue from our cursor: the next request starts a snapshot. Rows stay until its reset page. */
    restartSnapshot: (nowMs: number): void => {
      dropCursor.run(nowMs);
    },
    recordError: (message: string): void => {
      setError.run(message.slice(0, 1000));
    },
    rowCounts(): Record<ChangeEntity, number> {
      const counts = Object.fromEntries(CHANGE_ENTITIES.map((entity) => [entity, 0])) as Record<
        ChangeEntity,
        number
      >;
      for (const { entity, n } of countRows.all() as { entity: ChangeEntity; n: number }[]) {
        if (entity in counts) counts[entity] = n;
      }
      return counts;
    },
  };
}

export type ReplicaRepository = ReturnType<typeof createReplicaRepository>;
