import type { SyncStream } from '@unison/contracts';
import type { Logger } from 'pino';
import { type BackoffOptions, exponentialBackoff } from '../lib/backoff.ts';
import { sleep } from '../lib/sleep.ts';
import type { OutboxRepository } from '../store/outbox.repository.ts';
import { createBatchScheduler, firstSeq, lastSeq, type PlannedBatch, uploadJson } from './batch.scheduler.ts';
import type { CloudClient, EncodedBody } from './cloud.client.ts';
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

/** A batch ready to go: its records, its encoded body and the assertion it goes with. */
interface PreparedUpload {
  planned: PlannedBatch;
  body: EncodedBody;
  token: string;
  signedAtMs: number;
}

/** A prepared assertion older than this is signed again before it goes (they live 60 s). */
const FRESH_ASSERTION_MS = 10_000;

/** A batch the cloud acknowledged whole, whose rows are deleted once the next batch is on its way. */
interface Acknowledgement {
  planned: PlannedBatch;
  ackedSeq: number;
  quarantined: number;
}

/**
 * Store-and-forward: sends each stream's outbox head in seq order and deletes only what the cloud
 * acknowledged. Runs until `signal` aborts; reads the outbox itself, so it never waits for a new
 * local write. While a batch is on its way, the next one is read, encoded and signed; it goes as soon
 * as the answer acknowledges the whole batch, and is dropped on any other answer, when the buffer
 * budget dropped records meanwhile, or when events arrived that must go before it.
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
  /** Highest seq the cloud acknowledged per stream in this run. */
  const ackedThrough: Record<SyncStream, number> = { events: 0, samples: 0 };
  let unsettled: Acknowledgement | undefined;
  let ready: Promise<PreparedUpload | undefined> | undefined;

  const prepare = async (planned: PlannedBatch): Promise<PreparedUpload> => ({
    planned,
    body: await cloud.encode(uploadJson(epoch, planned)),
    token: await sign(),
    signedAtMs: now(),
  });

  try {
    while (!signal.aborted) {
      let current = await takeReady();
      if (signal.aborted) return;
      if (current) scheduler.sent(current.planned);
      else {
        // The serial path reads the outbox head: the acknowledged rows must be gone first.
        settle();
        const planned = scheduler.next();
        if (!planned) {
          await pause(idleMs);
          continue;
        }
        current = await prepare(planned);
      }
      const sent = Promise.withResolvers<void>();
      const answer = cloud.upload(current.body, current.token, signal, sent.resolve);
      await sent.promise;
      settle();
      ready = prepareAfter(current.planned);
      const outcome = await answer;
      if (signal.aborted) return;
      const { planned } = current;

      if (outcome.kind === 'retry') {
        ready = undefined;
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
        const acknowledgement = {
          planned,
          ackedSeq: outcome.body.ackedSeq,
          quarantined: outcome.body.quarantined ?? 0,
        };
        ackedThrough[planned.stream] = Math.max(ackedThrough[planned.stream], acknowledgement.ackedSeq);
        if (acknowledgement.ackedSeq >= lastSeq(planned)) unsettled = acknowledgement;
        else {
          ready = undefined;
          acknowledged(acknowledgement);
        }
        continue;
      }
      ready = undefined;
      if (outcome.kind === 'gap' && resumeFrom(planned, outcome.expectedSeq)) continue;
      status.set('rejected', outcome.reason);
      if (outcome.kind === 'rejected') {
        log.error({ err: outcome.reason, stream: planned.stream }, 'upload refused by the cloud; will retry');
      }
      scheduler.hold(planned.stream, streamBackoff[planned.stream].next());
    }
  } finally {
    settle();
  }

  /** Plans, encodes and signs the batch after `inFlight`, as if it were acknowledged already. */
  function prepareAfter(inFlight: PlannedBatch): Promise<PreparedUpload | undefined> | undefined {
    const planned = scheduler.plan({ [inFlight.stream]: lastSeq(inFlight) });
    if (!planned) return undefined;
    return prepare(planned).catch((error: unknown) => {
      log.warn({ err: error, stream: planned.stream }, 'could not prepare the next batch ahead');
      return undefined;
    });
  }

  /** The batch prepared ahead, if it still goes next exactly as planned. */
  async function takeReady(): Promise<PreparedUpload | undefined> {
    let prepared = await ready;
    ready = undefined;
    if (prepared && now() - prepared.signedAtMs > FRESH_ASSERTION_MS) {
      prepared = { ...prepared, token: await sign(), signedAtMs: now() };
    }
    if (!prepared || signal.aborted) return undefined;
    const { planned } = prepared;
    // The budget dropped records since: those planned may be gone, and the drop mark is older.
    if (outbox.backlog(planned.stream).droppedThroughSeq !== planned.droppedThroughSeq) return undefined;
    const eventsWaiting = () => {
      const events = outbox.backlog('events');
      return events.minSeq !== null && events.lastSeq > ackedThrough.events;
    };
    return scheduler.stillFirst(planned, eventsWaiting) ? prepared : undefined;
  }

  /** Deletes what the last whole acknowledgement covers. */
  function settle() {
    if (!unsettled) return;
    const acknowledgement = unsettled;
    unsettled = undefined;
    acknowledged(acknowledgement);
  }

  function acknowledged({ planned, ackedSeq, quarantined }: Acknowledgement) {
    const { stream } = planned;
    status.uploaded(outbox.deleteThrough(stream, ackedSeq), now(), stream);
    status.acknowledged(stream, ackedSeq, quarantined);
    streamBackoff[stream].reset();
    if (quarantined > 0)
      log.warn({ stream, quarantined }, 'the cloud quarantined records it can never accept');
    if (ackedSeq < firstSeq(planned)) {
      log.warn(
        { stream, ackedSeq, firstSeq: firstSeq(planned) },
        'cloud acknowledged none of the batch; retrying later',
      );
      scheduler.hold(stream, streamBackoff[stream].next());
    }
  }

  /** True when the cloud already holds the head of the stream (an ack we never received). */
  function resumeFrom(planned: PlannedBatch, expectedSeq: number | undefined): boolean {
    const { stream } = planned;
    const first = firstSeq(planned);
    const last = outbox.backlog(stream).lastSeq;
    if (expectedSeq !== undefined && expectedSeq > first && expectedSeq <= last + 1) {
      log.info({ stream, expectedSeq, firstSeq: first }, 'cloud is ahead; resuming from its expected seq');
      status.uploaded(outbox.deleteBelow(stream, expectedSeq), now(), stream);
      status.acknowledged(stream, expectedSeq - 1);
      return true;
    }
    if (expectedSeq === undefined) {
      // No expected seq: the stream itself was refused, e.g. this database's epoch was replaced.
      log.error({ stream, epoch }, 'cloud refused the stream; records are kept');
    } else if (expectedSeq > last + 1) {
      log.error(
        { stream, expectedSeq, lastSeq: last, epoch },
        'cloud expects a seq beyond anything this edge has recorded',
      );
    } else {
      log.error(
        { stream, expectedSeq, firstSeq: first, epoch },
        'cloud is missing records this edge no longer has',
      );
    }
    return false;
  }
}
