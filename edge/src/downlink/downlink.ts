import type { Logger } from 'pino';
import type { BackoffOptions } from '../lib/backoff.ts';
import { assertionSigner } from '../uplink/assertion.ts';
import type { EdgeIdentity } from '../uplink/identity.ts';
import { type ChangesClient, createChangesClient } from './changes.client.ts';
import { runDownlinkLoop } from './downlink.loop.ts';
import { type DownlinkStatus, downlinkTracker } from './downlink.status.ts';
import type { ReplicaRepository } from './replica.repository.ts';

export interface DownlinkOptions {
  replica: ReplicaRepository;
  /** Settles once the edge is enrolled (undefined: it will not be in this run). */
  identity: Promise<EdgeIdentity | undefined>;
  cloudUrl: string;
  log: Logger;
  client?: ChangesClient;
  retry?: BackoffOptions;
  waitS?: number;
  idleIntervalMs?: number;
  now?: () => number;
  /** The cloud's time as the edge estimates it: assertions are signed with it, so a drifting clock still syncs. */
  cloudNow?: () => number;
}

export interface Downlink {
  status(): DownlinkStatus;
  stop(): Promise<void>;
}

/** Waits for the edge's identity, then keeps the replica in step with the cloud until stopped. */
export function startDownlink({
  replica,
  identity,
  cloudUrl,
  log,
  client = createChangesClient({ baseUrl: cloudUrl }),
  retry,
  waitS,
  idleIntervalMs,
  now = Date.now,
  cloudNow = now,
}: DownlinkOptions): Downlink {
  const tracker = downlinkTracker(replica, now);
  const controller = new AbortController();
  const { signal } = controller;
  const stopped = new Promise<undefined>((resolve) =>
    signal.addEventListener('abort', () => resolve(undefined), { once: true }),
  );

  async function run() {
    const enrolled = await Promise.race([identity, stopped]);
    if (signal.aborted) return;
    if (!enrolled) {
      tracker.set('not enrolled');
      return;
    }
    const sign = await assertionSigner(enrolled, { now: cloudNow });
    await runDownlinkLoop({ replica, client, sign, tracker, log, waitS, idleIntervalMs, retry, now }, signal);
  }

  const running = run().catch((error: unknown) => {
    tracker.failed('failing', error instanceof Error ? error.message : String(error));
    log.error({ err: error }, 'downlink stopped');
  });

  return {
    status: tracker.get,
    async stop() {
      controller.abort();
      await running;
    },
  };
}
