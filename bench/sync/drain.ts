import { type CloudClient, createCloudClient } from '../../edge/src/uplink/cloud.client.ts';
import { obtainIdentity } from '../../edge/src/uplink/enrollment.ts';
import { identityFile } from '../../edge/src/uplink/identity.ts';
import { uplinkStatus } from '../../edge/src/uplink/uplink.status.ts';
import { startUplink } from '../../edge/src/uplink/uplink.ts';
import type { PlantConfig } from '../../packages/config/src/index.ts';
import type { Backlog } from './backlog.ts';
import { benchLog } from './log.ts';

export function uplinkConfig({
  dataDir,
  cloudUrl,
  enrollmentCode,
  batchSize,
  batchMaxBytes,
}: {
  dataDir: string;
  cloudUrl: string;
  enrollmentCode: string;
  batchSize: number;
  batchMaxBytes: number;
}): Pick<PlantConfig, 'edge' | 'cloud'> {
  return {
    edge: { name: 'bench-edge', plant: 'main', dataDir, http: { host: '127.0.0.1', port: 0 } },
    cloud: { url: cloudUrl, enrollmentCode, batchSize, uploadIntervalMs: 50, batchMaxBytes },
  };
}

/** Enrolls the edge with its one-time code through the edge's own enrollment; the uplink reuses the identity. */
export async function enroll(config: Pick<PlantConfig, 'edge' | 'cloud'>) {
  const identity = await obtainIdentity({
    file: identityFile(config.edge.dataDir),
    name: config.edge.name,
    cloudUrl: config.cloud.url,
    code: config.cloud.enrollmentCode,
    cloud: createCloudClient({ baseUrl: config.cloud.url }),
    status: uplinkStatus(),
    log: benchLog,
    signal: new AbortController().signal,
  });
  if (!identity) throw new Error('enrollment failed');
  return identity;
}

/** The value at or below which `p` percent of `values` fall (nearest rank). */
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/**
 * Lets the edge's real uplink drain the backlog into the cloud and times it from the edge: each
 * upload request from send to answer (server work plus loopback), and every acknowledgement.
 */
export async function drainBacklog({
  config,
  backlog,
  total,
  progressEveryMs = 3000,
  timeoutMs = 15 * 60_000,
}: {
  config: Pick<PlantConfig, 'edge' | 'cloud'>;
  backlog: Backlog;
  total: number;
  progressEveryMs?: number;
  timeoutMs?: number;
}) {
  const requestMs: number[] = [];
  // The edge's time from an answer to its next request (the next batch is read, encoded and signed
  // while the previous one is on its way).
  const edgeMs: number[] = [];
  let previousAnswerMs: number | undefined;
  const timedFetch: typeof fetch = async (input, init) => {
    const startedMs = performance.now();
    if (previousAnswerMs !== undefined) edgeMs.push(startedMs - previousAnswerMs);
    const response = await fetch(input, init);
    requestMs.push(performance.now() - startedMs);
    return response;
  };
  const client = createCloudClient({ baseUrl: config.cloud.url, fetch: timedFetch });
  let firstSentMs: number | undefined;
  let lastAckMs = 0;
  let ackedSeq = 0;
  let batches = 0;
  let refusals = 0;
  const recordsPerBatch: number[] = [];
  const cloud: CloudClient = {
    enroll: client.enroll,
    encode: client.encode,
    async upload(batch, token, signal, onSent) {
      firstSentMs ??= performance.now();
      const outcome = await client.upload(batch, token, signal, onSent);
      previousAnswerMs = performance.now();
      if (outcome.kind === 'ok') {
        lastAckMs = performance.now();
        ackedSeq = outcome.body.ackedSeq;
        batches += 1;
        const { written, duplicates, quarantined = 0 } = outcome.body;
        recordsPerBatch.push(written + duplicates + quarantined);
      } else {
        refusals += 1;
      }
      return outcome;
    },
  };

  const uplink = startUplink({ config, outbox: backlog.outbox, epoch: backlog.epoch, log: benchLog, cloud });
  let lastProgress = { atMs: performance.now(), ackedSeq: 0 };
  let progressReports = 0;
  let stalledReports = 0;
  const progress = setInterval(() => {
    const nowMs = performance.now();
    progressReports += 1;
    if (ackedSeq === lastProgress.ackedSeq) stalledReports += 1;
    const recentRate = (ackedSeq - lastProgress.ackedSeq) / ((nowMs - lastProgress.atMs) / 1000);
    const overallRate = firstSentMs === undefined ? 0 : ackedSeq / ((nowMs - firstSentMs) / 1000);
    lastProgress = { atMs: nowMs, ackedSeq };
    console.log(
      `  drain: ${ackedSeq.toLocaleString('en-US')}/${total.toLocaleString('en-US')} acknowledged ` +
        `(${((ackedSeq / total) * 100).toFixed(0)} %), ${Math.round(recentRate).toLocaleString('en-US')} records/s now, ` +
        `${Math.round(overallRate).toLocaleString('en-US')} records/s so far`,
    );
  }, progressEveryMs);
  const deadline = performance.now() + timeoutMs;
  try {
    while (ackedSeq < total) {
      if (performance.now() > deadline) throw new Error(`drain stalled at ${ackedSeq} of ${total}`);
      const { cloud: state, lastError } = uplink.status();
      if (state === 'rejected') throw new Error(`the uplink was refused: ${lastError}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    clearInterval(progress);
    await uplink.stop();
  }
  const seconds = (lastAckMs - firstSentMs!) / 1000;
  return {
    recordsPerSecond: total / seconds,
    seconds,
    batches,
    refusals,
    largestBatch: Math.max(...recordsPerBatch),
    requestMs,
    edgeMs,
    progressReports,
    stalledReports,
    outboxLeft: backlog.outbox.count('samples'),
  };
}
