import type { Logger } from 'pino';
import { type BackoffOptions, exponentialBackoff } from '../lib/backoff.ts';
import { errorMessage, sleep } from '../lib/sleep.ts';
import type { ChangesClient } from './changes.client.ts';
import { checkChangesPage } from './changes.page.ts';
import type { DownlinkTracker } from './downlink.status.ts';
import type { ReplicaRepository } from './replica.repository.ts';

export interface DownlinkLoopOptions {
  replica: ReplicaRepository;
  client: ChangesClient;
  sign: () => Promise<string>;
  tracker: DownlinkTracker;
  log: Logger;
  /** Long-poll: seconds the cloud may hold a request with nothing new. */
  waitS?: number;
  /** Least time between two requests that brought nothing, should the cloud not hold them. */
  idleIntervalMs?: number;
  retry?: BackoffOptions;
  now?: () => number;
}

/**
 * Follows the plant's change feed into the replica until `signal` aborts: each page and its cursor
 * are applied together, so a crash at any point resumes from the last page that was applied.
 */
export async function runDownlinkLoop(
  {
    replica,
    client,
    sign,
    tracker,
    log,
    waitS = 25,
    idleIntervalMs = 1000,
    retry,
    now = Date.now,
  }: DownlinkLoopOptions,
  signal: AbortSignal,
): Promise<void> {
  const backoff = exponentialBackoff(retry);
  const pause = (ms: number) => sleep(ms, signal);
  const fail = async (state: 'unreachable' | 'rejected' | 'failing', reason: string, retryAfterMs = 0) => {
    tracker.failed(state, reason);
    log.warn({ err: reason, cursor: replica.state().cursor }, 'downlink: change feed failed; will retry');
    await pause(Math.max(backoff.next(), retryAfterMs));
  };

  while (!signal.aborted) {
    const { cursor } = replica.state();
    const askedAtMs = now();
    const outcome = await client.changes({ cursor, waitS, token: await sign() }, signal);
    if (signal.aborted) return;
    if (outcome.kind !== 'ok') {
      await fail(
        outcome.kind === 'retry' ? 'unreachable' : 'rejected',
        outcome.reason,
        outcome.kind === 'retry' ? outcome.retryAfterMs : 0,
      );
      continue;
    }
    const checked = checkChangesPage(outcome.body);
    if ('error' in checked) {
      await fail('rejected', checked.error);
      continue;
    }
    const { page } = checked;
    if (page.kind === 'refetch') {
      if (cursor === null) {
        await fail('rejected', `refetch answered to a request without a cursor: ${page.reason}`);
        continue;
      }
      log.warn(
        { reason: page.reason, cursor },
        'downlink: the cloud cannot continue from our cursor; starting a snapshot',
      );
      replica.restartSnapshot(now());
      continue;
    }
    for (const skipped of page.skipped) {
      log.error({ ...skipped, cursor }, 'downlink: change refused by the contract; skipped');
    }
    try {
      replica.applyPage(page, now());
    } catch (error) {
      await fail('failing', `applying a page failed: ${errorMessage(error)}`);
      continue;
    }
    backoff.reset();
    tracker.ok();
    if (page.kind === 'snapshot' && page.reset)
      log.info({ cursor: page.cursor }, 'downlink: snapshot started');
    const idle = !page.more && page.changes.length === 0 && page.skipped.length === 0;
    if (idle) await pause(idleIntervalMs - (now() - askedAtMs));
  }
}
