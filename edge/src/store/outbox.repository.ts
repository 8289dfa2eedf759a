import { and, asc, count, eq, lte, min, sql } from './drizzle.ts';
import { outbox, type StreamName, streamState } from './schema.ts';
import type { EdgeDb } from './sqlite.ts';
import { type HotStatements, hotStatements } from './statements.ts';

/** A record as the outbox keeps it: its place in the stream and the wire record without seq. */
export interface OutboxRecord {
  stream: StreamName;
  seq: number;
  id: string;
  tsMs: number;
  record: Record<string, unknown>;
  sizeBytes: number;
}

/** A record as the uplink sends it: its place in the stream and its wire JSON without the seq. */
export interface PendingRecord {
  seq: number;
  /** The wire record without its seq, as JSON text. */
  json: string;
  sizeBytes: number;
}

/** What `append` needs of each record; `record` is the JSON of the wire record without its seq. */
export interface OutboxEntry {
  id: string;
  tsMs: number;
  record: string;
}

export interface StreamBacklog {
  stream: StreamName;
  rows: number;
  bytes: number;
  oldestTsMs: number | null;
  minSeq: number | null;
  lastSeq: number;
  droppedThroughSeq: number;
  droppedRows: number;
  droppedBytes: number;
}

/**
 * Reserves the next `count` seqs of `stream` and adds `bytes` to its backlog; returns the first seq.
 * Only inside the transaction that also inserts those outbox rows: a rollback gives the seqs back.
 */
export function reserveSeqs(
  statements: HotStatements,
  stream: StreamName,
  count: number,
  bytes: number,
): number {
  const lastSeq = statements.advanceStream.get(count, bytes, stream);
  if (lastSeq === undefined) throw new Error(`unknown stream ${stream}`);
  return lastSeq - count + 1;
}

export function createOutboxRepository(db: EdgeDb) {
  const statements = hotStatements(db);
  const pendingAfter = db.$client.prepare<[string, number, number], PendingRecord>(
    'SELECT seq, record AS json, size_bytes AS sizeBytes FROM outbox WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const headTotals = db.$client.prepare<[string, number], { rows: number; bytes: number }>(
    'SELECT count(*) AS rows, coalesce(sum(size_bytes), 0) AS bytes FROM outbox WHERE stream = ? AND seq <= ?',
  );
  const deleteHead = db.$client.prepare<[string, number]>('DELETE FROM outbox WHERE stream = ? AND seq <= ?');
  const subtractBytes = db.$client.prepare<[number, string]>(
    'UPDATE stream_state SET outbox_bytes = outbox_bytes - ? WHERE stream = ?',
  );
  // Counted in SQLite rather than returned row by row: an acknowledged batch is thousands of rows.
  const removeThrough = (stream: StreamName, throughSeq: number) =>
    statements.transaction(() => {
      const totals = headTotals.get(stream, throughSeq) ?? { rows: 0, bytes: 0 };
      if (totals.rows > 0) {
        deleteHead.run(stream, throughSeq);
        subtractBytes.run(totals.bytes, stream);
      }
      return totals;
    });

  return {
    /**
     * Gives the entries the next seqs of `stream` and queues them. Call it inside the transaction
     * that stores the records themselves, so both commit or neither.
     */
    append(stream: StreamName, entries: OutboxEntry[]): void {
      if (entries.length === 0) return;
      const sizes = entries.map((entry) => Buffer.byteLength(entry.record));
      let totalBytes = 0;
      for (const size of sizes) totalBytes += size;
      let seq = reserveSeqs(statements, stream, entries.length, totalBytes);
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        statements.insertOutbox.run(stream, seq++, entry.id, entry.tsMs, entry.record, sizes[i]!);
      }
    },
    /** The oldest records of `stream` in seq order: at most `limit`, and past the first within `maxBytes`. */
    head(stream: StreamName, limit: number, maxBytes = Number.POSITIVE_INFINITY): OutboxRecord[] {
      const rows = db
        .select()
        .from(outbox)
        .where(eq(outbox.stream, stream))
        .orderBy(asc(outbox.seq))
        .limit(limit)
        .all();
      const taken: OutboxRecord[] = [];
      let bytes = 0;
      for (const row of rows) {
        bytes += row.sizeBytes;
        if (taken.length > 0 && bytes > maxBytes) break;
        taken.push({ ...row, stream, record: JSON.parse(row.record) });
      }
      return taken;
    },
    /**
     * What `head` reads, as stored (no JSON parsing), starting after `afterSeq`: the records past a
     * batch that is still on its way can be read before that batch is acknowledged and deleted.
     */
    pending(
      stream: StreamName,
      {
        afterSeq = 0,
        limit,
        maxBytes = Number.POSITIVE_INFINITY,
      }: { afterSeq?: number; limit: number; maxBytes?: number },
    ): PendingRecord[] {
      const rows = pendingAfter.all(stream, afterSeq, limit);
      let bytes = 0;
      for (let i = 0; i < rows.length; i++) {
        bytes += rows[i]!.sizeBytes;
        if (i > 0 && bytes > maxBytes) return rows.slice(0, i);
      }
      return rows;
    },
    /** Deletes records up to and including `seq`; returns how many went. */
    deleteThrough: (stream: StreamName, seq: number): number => removeThrough(stream, seq).rows,
    deleteBelow: (stream: StreamName, seq: number): number => removeThrough(stream, seq - 1).rows,
    /**
     * Drops the oldest unsent records of `stream` to free about `bytes`; remembers the highest seq
     * dropped so the cloud can be told the hole is deliberate.
     */
    dropOldest(stream: StreamName, bytes: number): { rows: number; bytes: number } {
      return db.transaction((tx) => {
        const victims = tx
          .select({ seq: outbox.seq, sizeBytes: outbox.sizeBytes })
          .from(outbox)
          .where(eq(outbox.stream, stream))
          .orderBy(asc(outbox.seq))
          .limit(Math.max(1, Math.ceil(bytes / 64)))
          .all();
        let freed = 0;
        let throughSeq = 0;
        for (const victim of victims) {
          if (freed >= bytes) break;
          freed += victim.sizeBytes;
          throughSeq = victim.seq;
        }
        if (throughSeq === 0) return { rows: 0, bytes: 0 };
        const gone = tx
          .delete(outbox)
          .where(and(eq(outbox.stream, stream), lte(outbox.seq, throughSeq)))
          .run().changes;
        tx.update(streamState)
          .set({
            outboxBytes: sql`${streamState.outboxBytes} - ${freed}`,
            droppedThroughSeq: sql`max(${streamState.droppedThroughSeq}, ${throughSeq})`,
            droppedRows: sql`${streamState.droppedRows} + ${gone}`,
            droppedBytes: sql`${streamState.droppedBytes} + ${freed}`,
          })
          .where(eq(streamState.stream, stream))
          .run();
        return { rows: gone, bytes: freed };
      });
    },
    /** Records waiting, of one stream or of all. */
    count(stream?: StreamName): number {
      const query = db.select({ n: count() }).from(outbox);
      return (stream ? query.where(eq(outbox.stream, stream)) : query).get()?.n ?? 0;
    },
    /** Rows, bytes and age of what waits, plus the stream's counters; cheap (no full scan). */
    backlog(stream: StreamName): StreamBacklog {
      const state = db.select().from(streamState).where(eq(streamState.stream, stream)).get();
      const head = db
        .select({ minSeq: min(outbox.seq) })
        .from(outbox)
        .where(eq(outbox.stream, stream))
        .get();
      const minSeq = head?.minSeq ?? null;
      const oldest =
        minSeq === null
          ? undefined
          : db
              .select({ tsMs: outbox.tsMs })
              .from(outbox)
              .where(and(eq(outbox.stream, stream), eq(outbox.seq, minSeq)))
              .get();
      const lastSeq = state?.lastSeq ?? 0;
      return {
        stream,
        // Rows only ever leave from the head, so the seqs waiting are contiguous.
        rows: minSeq === null ? 0 : lastSeq - minSeq + 1,
        bytes: state?.outboxBytes ?? 0,
        oldestTsMs: oldest?.tsMs ?? null,
        minSeq,
        lastSeq,
        droppedThroughSeq: state?.droppedThroughSeq ?? 0,
        droppedRows: state?.droppedRows ?? 0,
        droppedBytes: state?.droppedBytes ?? 0,
      };
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
