import type { UploadBatch } from '@unison/contracts';
import type { Logger } from 'pino';
import { type BackoffOptions, exponentialBackoff } from '../lib/backoff.ts';
import { sleep } from '../lib/sleep.ts';
import type { OutboxRecord, OutboxRepository } from '../store/outbox.repository.ts';
import type { CloudClient } from './cloud.client.ts';
import type { UplinkStatusTracker } from './uplink.status.ts';

export interface SyncLoopOptions {
  outbox: OutboxRepository;
  cloud: CloudClient;
  sign: () => Promise<string>;
  epoch: string;
  batchSize: number;
  uploadIntervalMs: number;
  status: UplinkStatusTracker;
  log: Logger;
  retry?: BackoffOptions;
  now?: () => number;
}

/** The longest run of consecutive seqs at the head: the cloud refuses a batch with a hole in it. */
function consecutive(records: OutboxRecord[]): OutboxRecord[] {
  const end = records.findIndex((r, i) => i > 0 && r.seq !== records[i - 1]!.seq + 1);
  return end < 0 ? records : records.slice(0, end);
}

export function toUploadBatch(epoch: string, records: OutboxRecord[]): UploadBatch {
  return {
    stream: 'samples',
    epoch,
    records: records.map(({ seq, id, machine, tag, tsMs, value, quality }) => ({
      seq,
      id,
      machine,
      tag,
      ts: new Date(tsMs).toISOString(),
      value,
      quality,
    })),
  };
}

/**
 * Store-and-forward: sends the outbox head in seq order and deletes only what the cloud acknowledged.
 * Runs until `signal` aborts; reads the outbox itself, so it never waits for a new local write.
 */
export async function runSyncLoop(
  {
    outbox,
    cloud,
    sign,
    epoch,
    batchSize,
    uploadIntervalMs,
    status,
    log,
    retry,
    now = Date.now,
  }: SyncLoopOptions,
  signal: AbortSignal,
): Promise<void> {
  const backoff = exponentialBackoff(retry);
  const pause = (ms: number) => sleep(ms, signal);
  while (!signal.aborted) {
    const records = consecutive(outbox.head(batchSize));
    if (records.length === 0) {
      await pause(uploadIntervalMs);
      continue;
    }
    const firstSeq = records[0]!.seq;
    const lastSeq = records.at(-1)!.seq;
    const outcome = await cloud.upload(toUploadBatch(epoch, records), await sign(), signal);
    if (signal.aborted) return;

    if (outcome.kind === 'ok') {
      const { ackedSeq } = outcome.body;
      status.uploaded(outbox.deleteThrough(ackedSeq), now());
      backoff.reset();
      if (ackedSeq < firstSeq) {
        log.warn({ ackedSeq, firstSeq }, 'cloud acknowledged none of the batch; retrying later');
        await pause(backoff.next());
      } else if (records.length < batchSize) {
        await pause(uploadIntervalMs);
      }
      continue;
    }

    if (outcome.kind === 'gap') {
      const expectedSeq = outcome.expectedSeq;
      const maxSeq = outbox.range().maxSeq ?? lastSeq;
      if (expectedSeq !== undefined && expectedSeq > firstSeq && expectedSeq <= maxSeq + 1) {
        // The cloud holds everything below expectedSeq already (an ack we never received).
        log.info({ expectedSeq, firstSeq }, 'cloud is ahead; resuming from its expected seq');
        status.uploaded(outbox.deleteBelow(expectedSeq), now());
        continue;
      }
      if (expectedSeq !== undefined && expectedSeq > maxSeq + 1) {
        log.error(
          { expectedSeq, maxSeq, epoch },
          'cloud expects a seq beyond anything this edge has recorded',
        );
      } else {
        log.error({ expectedSeq, firstSeq, epoch }, 'cloud is missing records this edge no longer has');
      }
      status.set('rejected', outcome.reason);
      await pause(backoff.next());
      continue;
    }

    if (outcome.kind === 'retry') {
      status.set('unreachable', outcome.reason);
      log.warn({ err: outcome.reason, backlog: outbox.count() }, 'upload failed; will retry');
      await pause(Math.max(backoff.next(), outcome.retryAfterMs ?? 0));
      continue;
    }

    status.set('rejected', outcome.reason);
    log.error({ err: outcome.reason }, 'upload refused by the cloud; will retry');
    await pause(backoff.next());
  }
}
