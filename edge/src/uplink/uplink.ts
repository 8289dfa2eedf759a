import type { PlantConfig } from '@unison/config';
import type { EdgeEvent } from '@unison/contracts';
import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';
import type { BackoffOptions } from '../lib/backoff.ts';
import type { OutboxRepository } from '../store/outbox.repository.ts';
import { assertionSigner } from './assertion.ts';
import { type CloudClient, createCloudClient } from './cloud.client.ts';
import { type CloudClockStatus, cloudClock } from './cloud.clock.ts';
import { obtainIdentity } from './enrollment.ts';
import { type EdgeIdentity, identityFile } from './identity.ts';
import { runSyncLoop } from './sync.loop.ts';
import { type UplinkStatus, uplinkStatus } from './uplink.status.ts';

export interface UplinkOptions {
  config: Pick<PlantConfig, 'edge' | 'cloud'>;
  outbox: OutboxRepository;
  epoch: string;
  log: Logger;
  cloud?: CloudClient;
  retry?: BackoffOptions;
  /** The edge's clock; assertions are signed with the cloud's time estimated from it. */
  now?: () => number;
  /** Where a clock-skew alarm goes, as an `edge.alarm` event. */
  recordEvent?: (event: EdgeEvent) => void;
}

export interface Uplink {
  status(): UplinkStatus & { clock: CloudClockStatus };
  /** Settles once the edge is enrolled; undefined when it will not be in this run. */
  enrolled: Promise<EdgeIdentity | undefined>;
  /** The cloud's time as the edge estimates it: what assertions are signed with. */
  cloudNow(): number;
  stop(): Promise<void>;
}

/** Enrolls when needed, then forwards the outbox to the cloud until stopped. */
export function startUplink({
  config,
  outbox,
  epoch,
  log,
  now = Date.now,
  recordEvent,
  retry,
  ...options
}: UplinkOptions): Uplink {
  const status = uplinkStatus();
  const clock = cloudClock({
    now,
    log,
    onAlarm: ({ raised, skewMs }) =>
      recordEvent?.({
        id: uuidv7(),
        type: 'edge.alarm',
        source: 'edge.uplink',
        tsMs: now(),
        payload: { kind: raised ? 'clock.skew' : 'clock.skew-cleared', skewMs },
      }),
  });
  const cloud = options.cloud ?? createCloudClient({ baseUrl: config.cloud.url, clock });
  const controller = new AbortController();
  const { signal } = controller;
  const enrolled = Promise.withResolvers<EdgeIdentity | undefined>();

  async function run() {
    const identity = await obtainIdentity({
      file: identityFile(config.edge.dataDir),
      name: config.edge.name,
      cloudUrl: config.cloud.url,
      code: config.cloud.enrollmentCode || undefined,
      cloud,
      status,
      log,
      signal,
      retry,
    });
    enrolled.resolve(identity);
    if (!identity || signal.aborted) return;
    status.enrolled(identity.edgeId);
    const sign = await assertionSigner(identity, { now: clock.now });
    const { batchSize, uploadIntervalMs, batchMaxBytes } = config.cloud;
    await runSyncLoop(
      { outbox, cloud, sign, epoch, batchSize, batchMaxBytes, uploadIntervalMs, status, log, retry, now },
      signal,
    );
  }

  const running = run()
    .catch((error: unknown) => {
      status.set('rejected', error instanceof Error ? error.message : String(error));
      log.error({ err: error }, 'uplink stopped');
    })
    .finally(() => enrolled.resolve(undefined));

  return {
    status: () => ({ ...status.get(), clock: clock.status() }),
    enrolled: enrolled.promise,
    cloudNow: clock.now,
    async stop() {
      controller.abort();
      await running;
    },
  };
}
