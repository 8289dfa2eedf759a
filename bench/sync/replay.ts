import { assertionSigner } from '../../edge/src/uplink/assertion.ts';
import { createCloudClient } from '../../edge/src/uplink/cloud.client.ts';
import type { EdgeIdentity } from '../../edge/src/uplink/identity.ts';
import type { UploadBatch } from '../../packages/contracts/src/index.ts';

/**
 * Sends batches the cloud already acknowledged (same epoch, same seqs) again, one after the other
 * through the edge's cloud client with a fresh assertion each, as an edge that lost its acks would;
 * every answer must acknowledge the whole batch and write nothing.
 */
export async function replayDuplicates({
  cloudUrl,
  identity,
  batches,
}: {
  cloudUrl: string;
  identity: EdgeIdentity;
  batches: UploadBatch[];
}) {
  // Request sent to answer: the cloud's share of each replay, apart from the edge's JSON and gzip.
  const requestMs: number[] = [];
  const timedFetch: typeof fetch = async (input, init) => {
    const startedMs = performance.now();
    const response = await fetch(input, init);
    requestMs.push(performance.now() - startedMs);
    return response;
  };
  const client = createCloudClient({ baseUrl: cloudUrl, fetch: timedFetch });
  const sign = await assertionSigner(identity);
  let records = 0;
  const startedMs = performance.now();
  for (const batch of batches) {
    const outcome = await client.upload(batch, await sign());
    if (outcome.kind !== 'ok') throw new Error(`a replayed batch was refused: ${outcome.reason}`);
    const { written, duplicates, ackedSeq } = outcome.body;
    if (written !== 0 || duplicates !== batch.records.length || ackedSeq < batch.records.at(-1)!.seq) {
      throw new Error(`a replayed batch was not a pure duplicate: ${JSON.stringify(outcome.body)}`);
    }
    records += batch.records.length;
  }
  const seconds = (performance.now() - startedMs) / 1000;
  return { records, recordsPerSecond: records / seconds, seconds, requestMs };
}
