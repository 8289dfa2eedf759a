import type { Logger } from 'pino';
import { type BackoffOptions, exponentialBackoff } from '../lib/backoff.ts';
import { sleep } from '../lib/sleep.ts';
import type { OutboxRepository } from '../store/outbox.repository.ts';
import { createBatchScheduler, type PlannedBatch, toUploadBatch } from './batch.scheduler.ts';
import type { CloudClient } from './cloud.client.ts';
import type { UplinkStatusTracker } from './uplink.status.ts';

export interface SyncLoopOptions {
  outbox: OutboxRepository;
  cloud: CloudClient;
  sign: () => Promise<string>;
  epoch: string;
  batchSize: number;
  /** Uncompressed JSON bytes a batch may carry (one record always goes, whatever its size). */
  batchMaxBytes?: number;
  uploadIntervalMs: number;
  status: UplinkStatusTracker;
  log: Logger;
  retry?: BackoffOptions;
  now?: () => number;
}

/**
 * Store-and-forward: sends each stream's outbox head in seq order and deletes only what the cloud
 * acknowledged. Runs until `signal` aborts; reads the outbox itself, so it never waits for a new
 * local write.
 */
export async function runSyncLoop(
  {
    outbox,
    cloud,
    sign,
    epoch,
    batchSize,
    batchMaxBytes = 1024 * 1024,
    uploadIntervalMs,
    status,
    log,
    retry,
    now = Date.now,
  }: SyncLoopOptions,
  signal: AbortSignal,
): Promise<void> {
  const backoff = exponentialBackoff(retry);
  const streamBackoff = { events: exponentialBackoff(retry), samples: exponentialBackoff(retry) };
  const scheduler = createBatchScheduler({
    outbox,
    batchSize,
    batchMaxBytes,
    maxAgeMs: uploadIntervalMs,
    now,
  });
  const idleMs = Math.min(uploadIntervalMs, 100);
  const pause = (ms: number) => sleep(ms, signal);

  while (!signal.aborted) {
    const planned = scheduler.next();
    if (!planned) {
      await pause(idleMs);
      continue;
    }
    const outcome = await cloud.upload(toUploadBatch(epoch, planned), await sign(), signal);
    if (signal.aborted) return;

    if (outcome.kind === 'retry') {
      status.set('unreachable', outcome.reason);
      log.warn(
        { err: outcome.reason, stream: planned.stream, backlog: outbox.backlog(planned.stream).rows },
        'upload failed; will retry',
      );
      await pause(Math.max(backoff.next(), outcome.retryAfterMs ?? 0));
      continue;
    }
    backoff.reset();
    if (outcome.kind === 'ok') {
      acknowledged(planned, outcome.body.ackedSeq, outcome.body.quarantined ?? 0);
      continue;
    }
    if (outcome.kind === 'gap' && resumeFrom(planned, outcome.expectedSeq)) continue;
    status.set('rejected', outcome.reason);
    if (outcome.kind === 'rejected') {
      log.error({ err: outcome.reason, stream: planned.stream }, 'upload refused by the cloud; will retry');
    }
    scheduler.hold(planned.stream, streamBackoff[planned.stream].next());
  }

  function acknowledged({ stream, records }: PlannedBatch, ackedSeq: number, quarantined: number) {
    status.uploaded(outbox.deleteThrough(stream, ackedSeq), now(), stream);
    status.acknowledged(stream, ackedSeq, quarantined);
    streamBackoff[stream].reset();
    if (quarantined > 0)
      log.warn({ stream, quarantined }, 'the cloud quarantined records it can never accept');
    if (ackedSeq < records[0]!.seq) {
      log.warn(
        { stream, ackedSeq, firstSeq: records[0]!.seq },
        'cloud acknowledged none of the batch; retrying later',
      );
      scheduler.hold(stream, streamBackoff[stream].next());
    }
  }

  /** True when the cloud already holds the head of the stream (an ack we never received). */
  function resumeFrom({ stream, records }: PlannedBatch, expectedSeq: number | undefined): boolean {
    const firstSeq = records[0]!.seq;
    const lastSeq = outbox.backlog(stream).lastSeq;
    if (expectedSeq !== undefined && expectedSeq > firstSeq && expectedSeq <= lastSeq + 1) {
      log.info({ stream, expectedSeq, firstSeq }, 'cloud is ahead; resuming from its expected seq');
      status.uploaded(outbox.deleteBelow(stream, expectedSeq), now(), stream);
      status.acknowledged(stream, expectedSeq - 1);
      return true;
    }
    if (expectedSeq === undefined) {
      // No expected seq: the stream itself was refused, e.g. this database's epoch was replaced.
      log.error({ stream, epoch }, 'cloud refused the stream; records are kept');
    } else if (expectedSeq > lastSeq + 1) {
      log.error(
        { stream, expectedSeq, lastSeq, epoch },
        'cloud expects a seq beyond anything this edge has recorded',
      );
    } else {
      log.error({ stream, expectedSeq, firstSeq, epoch }, 'cloud is missing records this edge no longer has');
    }
    return false;
  }
}
