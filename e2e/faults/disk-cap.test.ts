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
  startProxiedFaultCloud,
} from './fault.harness.ts';
import { cloudRetry, startLoad } from './load.generator.ts';
import type { TcpProxy } from './tcp.proxy.ts';

const BUDGET_BYTES = 256 * 1024;

describe.each(databaseBackends())('fault 5: the edge buffer hits its size cap ($kind)', (backend) => {
  const dir = tempDir('unison-fault-disk-');
  let faultCloud: FaultCloud;
  let proxy: TcpProxy;
  let close: (() => Promise<void>) | undefined;
  let edge: Edge | undefined;

  beforeAll(async () => {
    ({ faultCloud, proxy, close } = await startProxiedFaultCloud(backend));
  }, 60_000);
  afterAll(async () => {
    await edge?.stop();
    await close?.();
    dir.remove();
  });

  it('drops the oldest samples, keeps every event, raises the alarm, and delivers the rest once', async () => {
    const dataDir = join(dir.path, 'edge');
    const config = faultEdgeConfig({
      dataDir,
      cloudUrl: proxy.url,
      enrollmentCode: await faultCloud.enrollmentCode(),
      maxBufferBytes: BUDGET_BYTES,
    });
    edge = await startEdge(config, { cloudRetry });
    await waitFor(() => edge?.status().edge.edgeId, { what: 'enrollment' });

    // The internet goes away; the line keeps producing.
    proxy.setPlan(() => 'refuse');
    proxy.cutAll();
    const load = startLoad(edge.recorder, { samplesPerTick: 40, tickMs: 10, eventEveryTicks: 5 });
    let highestUsed = 0;
    await waitFor(
      () => {
        const { buffer, streams } = edge!.status();
        highestUsed = Math.max(highestUsed, buffer?.usedBytes ?? 0);
        return buffer?.samplesDropping && (streams?.samples.dropped ?? 0) > 2000 ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 20, what: 'samples dropped to stay within the budget' },
    );
    load.stop();
    const during = edge.status();
    expect(highestUsed).toBeLessThanOrEqual(BUDGET_BYTES);
    expect(during.buffer).toMatchObject({
      budgetBytes: BUDGET_BYTES,
      samplesDropping: true,
      eventsOverBudget: false,
    });
    expect(during.streams?.events.dropped).toBe(0);
    const metrics = await (await fetch(`${edge.url}/metrics`)).text();
    expect(metrics).toMatch(/unison_edge_stream_dropped_total\{stream="samples"\} [1-9]/);
    expect(metrics).toContain('unison_edge_buffer_alarm 1');

    // Back online: what is left goes up, once.
    proxy.setPlan(() => 'pass');
    await drained(edge, load.produced().samples);
    const { samples: recorded, streams } = edge.status();
    await edge.stop();
    edge = undefined;

    const rows = await cloudRows(faultCloud.cloud, faultCloud.org.organizationId);
    const dropped = streams!.samples.dropped;
    const seqs = rows.samples.map((r) => r.seq);
    expect(new Set(rows.samples.map((r) => r.id)).size).toBe(rows.samples.length);
    expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!)).toBe(true);
    expect(rows.samples.length + dropped).toBe(recorded.recorded);
    expect(seqs.at(-1)).toBe(recorded.recorded);
    // The oldest were dropped: everything after the hole arrived.
    expect(seqs[0]).toBe(dropped + 1);

    const ledger = readLedger(join(dataDir, 'edge.db'));
    expectExactlyOnceInOrder(rows.events, [{ epoch: ledger.epoch, ids: ledger.events }]);
    const alarms = await faultCloud.cloud.queryAsTenant(
      faultCloud.org.organizationId,
      `select payload->>'kind' as kind from events where type = 'edge.alarm'`,
    );
    expect(alarms).toEqual([{ kind: 'buffer.samples-dropped' }]);
    await expectIsolated(faultCloud);
  }, 45_000);
});
