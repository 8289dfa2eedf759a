import type { UploadAck, UploadBatch } from '@unison/contracts';
import type { Database } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import type { EdgePrincipal } from '../../http/env.ts';
import { ProblemError } from '../../http/problem.ts';
import { ensureMachines, insertSamples, lockStream, saveStream } from './ingest.repository.ts';

/** UUIDv7 strings sort by creation time. */
const newerEpoch = (candidate: string, current: string) => candidate.toLowerCase() > current.toLowerCase();

/**
 * Applies a batch exactly once and in order: replays are acknowledged without writing, gaps and
 * batches from a replaced edge database are refused.
 */
export async function ingestBatch(db: Database, edge: EdgePrincipal, batch: UploadBatch): Promise<UploadAck> {
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
    const ack = (written: number) => ({
      stream: batch.stream,
      epoch,
      ackedSeq: state.ackedSeq,
      written,
      duplicates: batch.records.length - written,
    });
    if (lastSeq <= state.ackedSeq) return ack(0);
    if (firstSeq > state.ackedSeq + 1) {
      throw new ProblemError(409, 'Conflict', `gap in stream: expected seq ${state.ackedSeq + 1}`, {
        expectedSeq: state.ackedSeq + 1,
      });
    }
    const fresh = batch.records.filter((record) => record.seq > state.ackedSeq);
    await ensureMachines(tx, edge, [...new Set(fresh.map((record) => record.machine))]);
    const written = await insertSamples(tx, edge, fresh);
    state = { epoch, ackedSeq: lastSeq };
    await saveStream(tx, edge, batch.stream, state);
    return ack(written);
  });
}
