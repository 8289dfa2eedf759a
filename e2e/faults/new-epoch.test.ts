import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Edge, startEdge } from '@unison/edge';
import { databaseBackends, tempDir, waitFor } from '@unison/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudRows,
  drained,
  expectExactlyOnceInOrder,
  expectIsolated,
  type FaultCloud,
  faultEdgeConfig,
  type Ledger,
  readLedger,
  startFaultCloud,
} from './fault.harness.ts';
import { cloudRetry, countEvent, startLoad } from './load.generator.ts';

describe.each(databaseBackends())('fault 6: the edge database is recreated ($kind)', (backend) => {
  const dir = tempDir('unison-fault-epoch-');
  const dataDir = join(dir.path, 'edge');
  const databaseFile = join(dataDir, 'edge.db');
  let faultCloud: FaultCloud;
  let edge: Edge | undefined;
  let config: ReturnType<typeof faultEdgeConfig>;

  beforeAll(async () => {
    faultCloud = await startFaultCloud(backend);
    config = faultEdgeConfig({
      dataDir,
      cloudUrl: faultCloud.url,
      enrollmentCode: await faultCloud.enrollmentCode(),
    });
  }, 60_000);
  afterAll(async () => {
    await edge?.stop();
    await faultCloud?.close();
    dir.remove();
  });

  /** Runs the edge under load for a while, lets it deliver, stops it and returns what its database produced. */
  async function runUnderLoad(): Promise<Ledger> {
    edge = await startEdge(config, { cloudRetry });
    const load = startLoad(edge.recorder, { samplesPerTick: 20 });
    await waitFor(() => ((edge!.status().streams?.samples.uploaded ?? 0) > 500 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'uploads',
    });
    load.stop();
    await drained(edge, load.produced().samples);
    await edge.stop();
    edge = undefined;
    return readLedger(databaseFile);
  }

  it('starts the new epoch at seq 1, keeps the old one, and refuses a restored stale database', async () => {
    const first = await runUnderLoad();
    copyFileSync(databaseFile, join(dir.path, 'stale.db'));
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${databaseFile}${suffix}`, { force: true });
    const second = await runUnderLoad();
    expect(second.epoch > first.epoch).toBe(true);

    const rows = await cloudRows(faultCloud.cloud, faultCloud.org.organizationId);
    const ledgers = (stream: 'samples' | 'events') => [
      { epoch: first.epoch, ids: first[stream] },
      { epoch: second.epoch, ids: second[stream] },
    ];
    expectExactlyOnceInOrder(rows.samples, ledgers('samples'));
    expectExactlyOnceInOrder(rows.events, ledgers('events'));
    expect(rows.samples.find((r) => r.epoch === second.epoch)?.seq).toBe(1);

    // An old backup put back: its records must not be mixed into the newer epoch.
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${databaseFile}${suffix}`, { force: true });
    copyFileSync(join(dir.path, 'stale.db'), databaseFile);
    edge = await startEdge(config, { cloudRetry });
    expect(edge.status().edge.epoch).toBe(first.epoch);
    edge.recorder.recordEvent(countEvent(1));
    await waitFor(() => (edge!.status().cloud.status === 'rejected' ? true : undefined), {
      what: 'the stale epoch refused',
    });
    expect(edge.status().cloud.lastError).toMatch(/stale epoch/);
    expect(edge.status().streams?.events.backlog).toBe(1);
    await edge.stop();
    edge = undefined;
    expect((await cloudRows(faultCloud.cloud, faultCloud.org.organizationId)).events).toHaveLength(
      rows.events.length,
    );
    await expectIsolated(faultCloud);
  }, 45_000);
});
