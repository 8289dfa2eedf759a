import type { PlantConfig } from '@unison/config';
import type { Logger } from 'pino';
import type { BackoffOptions } from '../lib/backoff.ts';
import type { OutboxRepository } from '../store/outbox.repository.ts';
import { assertionSigner } from './assertion.ts';
import { type CloudClient, createCloudClient } from './cloud.client.ts';
import { obtainIdentity } from './enrollment.ts';
import { identityFile } from './identity.ts';
import { runSyncLoop } from './sync.loop.ts';
import { type UplinkStatus, uplinkStatus } from './uplink.status.ts';

export interface UplinkOptions {
  config: Pick<PlantConfig, 'edge' | 'cloud'>;
  outbox: OutboxRepository;
  epoch: string;
  log: Logger;
  cloud?: CloudClient;
  retry?: BackoffOptions;
}

export interface Uplink {
  status(): UplinkStatus;
  stop(): Promise<void>;
}

/** Enrolls when needed, then forwards the outbox to the cloud until stopped. */
export function startUplink({
  config,
  outbox,
  epoch,
  log,
  cloud = createCloudClient({ baseUrl: config.cloud.url }),
  retry,
}: UplinkOptions): Uplink {
  const status = uplinkStatus();
  const controller = new AbortController();
  const { signal } = controller;

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
    if (!identity || signal.aborted) return;
    status.enrolled(identity.edgeId);
    const sign = await assertionSigner(identity);
    const { batchSize, uploadIntervalMs, batchMaxBytes } = config.cloud;
    await runSyncLoop(
      { outbox, cloud, sign, epoch, batchSize, batchMaxBytes, uploadIntervalMs, status, log, retry },
      signal,
    );
  }

  const running = run().catch((error: unknown) => {
    status.set('rejected', error instanceof Error ? error.message : String(error));
    log.error({ err: error }, 'uplink stopped');
  });

  return {
    status: status.get,
    async stop() {
      controller.abort();
      await running;
    },
  };
}
