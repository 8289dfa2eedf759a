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
  readLedger,
  recordKey,
  startFaultCloud,
} from './fault.harness.ts';
import { cloudRetry, countEvent, startLoad } from './load.generator.ts';

describe.each(databaseBackends())('fault 8: a poison record in the middle of a stream ($kind)', (backend) => {
  const dir = tempDir('unison-fault-poison-');
  let faultCloud: FaultCloud;
  let edge: Edge | undefined;

  beforeAll(async () => {
    faultCloud = await startFaultCloud(backend);
  }, 60_000);
  afterAll(async () => {
    await edge?.stop();
    await faultCloud?.close();
    dir.remove();
  });

  it('quarantines the poison, acknowledges it, and delivers everything around it once', async () => {
    const dataDir = join(dir.path, 'edge');
    const config = faultEdgeConfig({
      dataDir,
      cloudUrl: faultCloud.url,
      enrollmentCode: await faultCloud.enrollmentCode(),
    });
    edge = await startEdge(config, { cloudRetry });
    const load = startLoad(edge.recorder, { samplesPerTick: 20 });
    await waitFor(() => ((edge!.status().streams?.samples.uploaded ?? 0) > 300 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'uploads',
    });
    edge.recorder.record([
      { machine: 'not a machine code!', tag: 'speed', tsMs: Date.now(), value: 1, quality: 'good' },
    ]);
    edge.recorder.recordEvent({ ...countEvent(0), payload: { note: 'nul \u0000 inside' } });
    edge.recorder.recordEvent(countEvent(0, 100 * 1024));
    const after = edge.status().streams!.samples.uploaded;
    await waitFor(() => ((edge!.status().streams?.samples.uploaded ?? 0) > after + 300 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'uploads past the poison',
    });
    load.stop();
    // The load's samples and the one poison sample.
    await drained(edge, load.produced().samples + 1);
    const { streams } = edge.status();
    expect([streams?.samples.quarantined, streams?.events.quarantined]).toEqual([1, 2]);
    await edge.stop();
    edge = undefined;

    const held = await faultCloud.cloud.queryAsTenant(
      faultCloud.org.organizationId,
      'select stream, reason, record from sync_quarantine order by stream, seq',
    );
    expect(held.map((row) => [row.stream, row.reason])).toEqual([
      ['events', 'contains a NUL character'],
      ['events', expect.stringContaining('payload: larger than')],
      ['samples', expect.stringContaining('machine')],
    ]);
    const poisoned = new Set(
      held.map((row) => recordKey(String(row.stream), JSON.parse(String(row.record)))),
    );

    const ledger = readLedger(join(dataDir, 'edge.db'));
    const rows = await cloudRows(faultCloud.cloud, faultCloud.org.organizationId);
    expectExactlyOnceInOrder(rows.samples, [{ epoch: ledger.epoch, ids: ledger.samples }], poisoned);
    expectExactlyOnceInOrder(rows.events, [{ epoch: ledger.epoch, ids: ledger.events }], poisoned);
    // The stream moved on past the poison: seqs on both sides of it arrived.
    const quarantinedSeqs = rows.quarantine.map((r) => r.seq);
    for (const seq of quarantinedSeqs) {
      expect(rows.samples.some((r) => r.seq > seq) || rows.events.some((r) => r.seq > seq)).toBe(true);
    }
    await expectIsolated(faultCloud);
  }, 45_000);
});
