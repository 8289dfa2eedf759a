import type { Logger } from 'pino';
import { exponentialBackoff } from '../lib/backoff.ts';
import { sleep } from '../lib/sleep.ts';
import type { CloudClient } from './cloud.client.ts';
import { type EdgeIdentity, pendingKeyPair, readIdentity, writeIdentity } from './identity.ts';
import type { UplinkStatusTracker } from './uplink.status.ts';

export interface EnrollmentOptions {
  file: string;
  name: string;
  cloudUrl: string;
  code?: string;
  cloud: CloudClient;
  status: UplinkStatusTracker;
  log: Logger;
  signal: AbortSignal;
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
}

/**
 * The saved identity, or a new one from enrolling with the one-time code (retried while the cloud
 * is unreachable). Undefined when there is neither, or the cloud refused the code.
 */
export async function obtainIdentity({
  file,
  name,
  cloudUrl,
  code,
  cloud,
  status,
  log,
  signal,
  retry,
}: EnrollmentOptions): Promise<EdgeIdentity | undefined> {
  const saved = readIdentity(file);
  if (saved) return saved;
  if (!code) {
    status.set('not enrolled', 'no enrollment code');
    log.warn(
      'edge is not enrolled: set cloud.enrollmentCode (EDGE_ENROLLMENT_CODE); recording locally meanwhile',
    );
    return undefined;
  }
  // Saved before the first request, so a repeat after a lost answer carries the same key.
  const keys = await pendingKeyPair(file);
  const backoff = exponentialBackoff(retry);
  while (!signal.aborted) {
    const outcome = await cloud.enroll({ code, name, publicKey: keys.publicKey }, signal);
    if (outcome.kind === 'ok') {
      const identity: EdgeIdentity = { ...outcome.body, cloudUrl, ...keys };
      writeIdentity(file, identity);
      log.info({ edgeId: identity.edgeId, plantId: identity.plantId }, 'edge enrolled');
      return identity;
    }
    if (outcome.kind === 'retry') {
      status.set('unreachable', outcome.reason);
      log.warn({ err: outcome.reason }, 'enrollment failed; retrying');
      await sleep(Math.max(backoff.next(), outcome.retryAfterMs ?? 0), signal);
      continue;
    }
    status.set('rejected', outcome.reason);
    log.error(
      { err: outcome.reason },
      'enrollment refused: check the enrollment code, then restart the edge',
    );
    return undefined;
  }
  return undefined;
}
