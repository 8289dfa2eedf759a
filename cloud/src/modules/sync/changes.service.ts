import type { Change, ChangeEntity, ChangesPage } from '@unison/contracts';
import type { Database, SqlSession } from '../../db/client.ts';
import { withAppRole, withTenant } from '../../db/tenant.ts';
import type { EdgePrincipal } from '../../http/env.ts';
import { decodeFeedCursor, encodeFeedCursor, SNAPSHOT_ORDER } from './changes.cursor.ts';
import { toReplicaRow } from './changes.replica.ts';
import {
  type LogEntry,
  logBounds,
  pruneLog,
  readLog,
  readRowsAfter,
  readRowsById,
} from './changes.repository.ts';
import type { ChangeSignal } from './changes.signal.ts';

export interface ChangesRequest {
  cursor?: string;
  /** Seconds to hold a change-log request that finds nothing new. */
  waitSeconds: number;
  limit: number;
}

export interface ChangeFeedOptions {
  db: Database;
  signal: ChangeSignal;
  /** Changes older than this leave the log; an edge whose cursor is older starts over. */
  retentionMs?: number;
  /** Retention runs on the first request and then at most this often. */
  pruneIntervalMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The plant-scoped change feed: snapshot pages, change-log pages and long-poll. */
export function createChangeFeed({
  db,
  signal,
  retentionMs = 30 * DAY_MS,
  pruneIntervalMs = 60 * 60 * 1000,
}: ChangeFeedOptions) {
  let lastPruneMs = Number.NEGATIVE_INFINITY;
  const pruneWhenDue = async () => {
    if (Date.now() - lastPruneMs < pruneIntervalMs) return;
    lastPruneMs = Date.now();
    await withAppRole(db, (tx) => pruneLog(tx, retentionMs));
  };

  const asEdge = <T>(edge: EdgePrincipal, work: (tx: SqlSession) => Promise<T>) =>
    withTenant(db, { organizationId: edge.organizationId, plantId: edge.plantId, edgeId: edge.edgeId }, work);

  return {
    async read(edge: EdgePrincipal, request: ChangesRequest, abort?: AbortSignal): Promise<ChangesPage> {
      const position = decodeFeedCursor(request.cursor);
      await pruneWhenDue();
      if (!position || position.kind === 'snapshot') {
        return asEdge(edge, (tx) => snapshotPage(tx, position, request.limit));
      }
      const deadlineMs = Date.now() + request.waitSeconds * 1000;
      // Subscribed before the first read, so a commit between a read and the wait still wakes us.
      const subscription = signal.subscribe(edge.organizationId);
      try {
        for (;;) {
          const page = await asEdge(edge, (tx) => changesPage(tx, position.version, request.limit));
          const remainingMs = deadlineMs - Date.now();
          if (page.kind !== 'changes' || page.changes.length > 0 || remainingMs <= 0 || abort?.aborted) {
            return page;
          }
          // No transaction is open while the request waits.
          await subscription.next(Math.min(remainingMs, signal.recheckMs()), abort);
        }
      } finally {
        subscription.close();
      }
    },
  };
}

export type ChangeFeed = ReturnType<typeof createChangeFeed>;

type SnapshotPosition = { startVersion: number; entity: number; afterId: string | null };

/** Current rows of the plant, entity by entity in id order; the last page hands over to the log. */
async function snapshotPage(
  tx: SqlSession,
  position: SnapshotPosition | undefined,
  limit: number,
): Promise<ChangesPage> {
  // Whatever commits after this version is in the log as well, so the handover misses nothing.
  const startVersion = position?.startVersion ?? (await logBounds(tx)).version;
  let entity = position?.entity ?? 0;
  let afterId = position?.afterId ?? null;
  const changes: Change[] = [];
  while (entity < SNAPSHOT_ORDER.length && changes.length < limit) {
    const name = SNAPSHOT_ORDER[entity]!;
    const room = limit - changes.length;
    const rows = await readRowsAfter(tx, name, afterId, room);
    for (const row of rows) {
      changes.push({
        op: 'upsert',
        version: startVersion,
        entity: name,
        id: row.id,
        row: toReplicaRow(name, row),
      });
    }
    if (rows.length === room) {
      afterId = rows.at(-1)!.id;
    } else {
      entity += 1;
      afterId = null;
    }
  }
  const reset = position === undefined;
  if (entity < SNAPSHOT_ORDER.length) {
    const cursor = encodeFeedCursor({ kind: 'snapshot', startVersion, entity, afterId });
    return { kind: 'snapshot', reset, changes, cursor, more: true };
  }
  const { version } = await logBounds(tx);
  const cursor = encodeFeedCursor({ kind: 'changes', version: startVersion });
  return { kind: 'snapshot', reset, changes, cursor, more: version > startVersion };
}

/** Changes after `version`: each changed row once, as it is now, or a tombstone if it is gone. */
async function changesPage(tx: SqlSession, version: number, limit: number): Promise<ChangesPage> {
  const entries = await readLog(tx, version, limit + 1);
  // Read after the entries: a prune committed in between shows here, never as a silent gap.
  const bounds = await logBounds(tx);
  if (version < bounds.prunedThrough) {
    return { kind: 'refetch', reason: 'the cursor is older than the retained change log' };
  }
  if (version > bounds.version) {
    return { kind: 'refetch', reason: 'the cursor is ahead of the change log' };
  }
  const more = entries.length > limit;
  const page = entries.slice(0, limit);
  const latest = new Map<string, LogEntry>();
  for (const entry of page) latest.set(`${entry.entity}/${entry.entity_id}`, entry);
  const idsByEntity = new Map<ChangeEntity, string[]>();
  for (const entry of latest.values()) {
    idsByEntity.set(entry.entity, [...(idsByEntity.get(entry.entity) ?? []), entry.entity_id]);
  }
  const current = new Map<string, Record<string, unknown>>();
  for (const [entity, ids] of idsByEntity) {
    for (const row of await readRowsById(tx, entity, ids)) {
      current.set(`${entity}/${row.id}`, toReplicaRow(entity, row));
    }
  }
  const changes = [...latest.values()]
    .sort((a, b) => a.version - b.version)
    .map((entry): Change => {
      const row = current.get(`${entry.entity}/${entry.entity_id}`);
      const key = { version: entry.version, entity: entry.entity, id: entry.entity_id };
      return row ? { op: 'upsert', ...key, row } : { op: 'delete', ...key };
    });
  const cursor = encodeFeedCursor({ kind: 'changes', version: page.at(-1)?.version ?? version });
  return { kind: 'changes', changes, cursor, more };
}
