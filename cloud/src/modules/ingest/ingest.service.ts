import type { UploadAck, UploadEnvelope } from '@unison/contracts';
import type { Database, SqlSession } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import type { EdgePrincipal } from '../../http/env.ts';
import { ProblemError } from '../../http/problem.ts';
import { insertEvents } from './events.repository.ts';
import {
  classifyRecords,
  type RecordLimits,
  type RejectedRecord,
  type ValidRecords,
} from './ingest.records.ts';
import { ensureMachines, insertSamples, lockStream, saveStream } from './ingest.repository.ts';
import { insertQuarantined } from './quarantine.repository.ts';

/** UUIDv7 strings sort by creation time. */
const newerEpoch = (candidate: string, current: string) => candidate.toLowerCase() > current.toLowerCase();

/** Data exceptions (22xxx) and integrity violations (23xxx): the record, not the server, is at fault. */
const isRecordError = (error: unknown) =>
  typeof error === 'object' && error !== null && /^2[23]/.test(String((error as { code?: unknown }).code));

/**
 * Applies a batch exactly once and in order: replays are acknowledged without writing, gaps and
 * batches from a replaced edge database are refused, and records that can never be stored are
 * quarantined and acknowledged with the rest.
 */
export async function ingestBatch(
  db: Database,
  edge: EdgePrincipal,
  batch: UploadEnvelope,
  limits: RecordLimits = {},
): Promise<UploadAck> {
  try {
    return await applyBatch(db, edge, batch, limits, { recordByRecord: false });
  } catch (error) {
    if (!isRecordError(error)) throw error;
    // The database refused a record that passed validation: the transaction is gone, so again from
    // the start, writing record by record to quarantine what it refuses.
    return applyBatch(db, edge, batch, limits, { recordByRecord: true });
  }
}

async function applyBatch(
  db: Database,
  edge: EdgePrincipal,
  batch: UploadEnvelope,
  limits: RecordLimits,
  { recordByRecord }: { recordByRecord: boolean },
): Promise<UploadAck> {
  const epoch = batch.epoch.toLowerCase();
  const firstSeq = batch.records[0]!.seq;
  const lastSeq = batch.records.at(-1)!.seq;
  return withTenant(db, edge, async (tx) => {
    let state = await lockStream(tx, edge, batch.stream, epoch);
    if (newerEpoch(epoch, state.epoch)) state = { epoch, ackedSeq: 0 };
    else if (newerEpoch(state.epoch, epoch)) {
      throw new ProblemError(409, 'Conflict', 'stale epoch: the edge database was replaced by a newer one', {
        currentEpoch: state.epoch,
      });
    }
    const ack = (written: number, quarantined = 0) => ({
      stream: batch.stream,
      epoch,
      ackedSeq: state.ackedSeq,
      written,
      duplicates: batch.records.length - written - quarantined,
      ...(quarantined > 0 ? { quarantined } : {}),
    });
    if (lastSeq <= state.ackedSeq) return ack(0);
    // Samples the edge dropped unsent (its buffer was full) leave a hole it declares; events never do.
    const droppedThroughSeq = batch.stream === 'samples' ? (batch.droppedThroughSeq ?? 0) : 0;
    if (firstSeq > state.ackedSeq + 1 && droppedThroughSeq < firstSeq - 1) {
      throw new ProblemError(409, 'Conflict', `gap in stream: expected seq ${state.ackedSeq + 1}`, {
        expectedSeq: state.ackedSeq + 1,
      });
    }
    const fresh = batch.records.filter((record) => record.seq > state.ackedSeq);
    const { valid, rejected } = classifyRecords(batch.stream, fresh, limits);
    const written = recordByRecord
      ? await writeEachOrQuarantine(tx, edge, epoch, valid, rejected)
      : await writeRecords(tx, edge, epoch, valid);
    const quarantined = await insertQuarantined(tx, edge, batch.stream, epoch, rejected);
    state = { epoch, ackedSeq: lastSeq };
    await saveStream(tx, edge, batch.stream, state);
    return ack(written, quarantined);
  });
}

async function writeRecords(tx: SqlSession, edge: EdgePrincipal, epoch: string, valid: ValidRecords) {
  const codes = [...valid.samples.map((r) => r.machine), ...valid.events.flatMap((r) => r.machine ?? [])];
  await ensureMachines(tx, edge, [...new Set(codes)]);
  return (
    (await insertSamples(tx, edge, epoch, valid.samples)) +
    (await insertEvents(tx, edge, epoch, valid.events))
  );
}

/** Writes record by record, each under a savepoint; the ones the database refuses are appended to `rejected`. */
async function writeEachOrQuarantine(
  tx: SqlSession,
  edge: EdgePrincipal,
  epoch: string,
  valid: ValidRecords,
  rejected: RejectedRecord[],
): Promise<number> {
  let written = 0;
  const one = [
    ...valid.samples.map((r) => ({ seq: r.seq, record: r, only: { samples: [r], events: [] } })),
    ...valid.events.map((r) => ({ seq: r.seq, record: r, only: { samples: [], events: [r] } })),
  ];
  for (const { seq, record, only } of one) {
    await tx.exec('SAVEPOINT ingest_record');
    try {
      written += await writeRecords(tx, edge, epoch, only);
      await tx.exec('RELEASE SAVEPOINT ingest_record');
    } catch (error) {
      if (!isRecordError(error)) throw error;
      await tx.exec('ROLLBACK TO SAVEPOINT ingest_record');
      const reason = `refused by the database: ${error instanceof Error ? error.message : String(error)}`;
      rejected.push({ seq, reason, raw: JSON.stringify(record) });
    }
  }
  return written;
}
