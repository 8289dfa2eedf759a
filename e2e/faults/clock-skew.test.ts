import { join } from 'node:path';
import { type Edge, startEdge } from '@unison/edge';
import { databaseBackends, tempDir, waitFor } from '@unison/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertionSigner } from '../../edge/src/uplink/assertion.ts';
import { identityFile, readIdentity } from '../../edge/src/uplink/identity.ts';
import {
  type CloudRow,
  cloudRows,
  drained,
  expectExactlyOnceInOrder,
  expectIsolated,
  type FaultCloud,
  faultEdgeConfig,
  readLedger,
  SAMPLES,
  startFaultCloud,
} from './fault.harness.ts';
import { cloudRetry, startLoad } from './load.generator.ts';

const HOUR_MS = 3_600_000;
// The skew is estimated from whole-second Date headers and the time a request takes.
const ESTIMATE_MARGIN_MS = 3_000;

describe.each(databaseBackends())('fault 7: the edge clock is off by an hour ($kind)', (backend) => {
  const dir = tempDir('unison-fault-clock-');
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

  /** Runs the edge under load until the cloud acknowledged some of it, then lets it deliver the rest. */
  async function runUnderLoad(config: ReturnType<typeof faultEdgeConfig>, now: () => number) {
    edge = await startEdge(config, { cloudRetry, now });
    const load = startLoad(edge.recorder, { samplesPerTick: 20, now });
    await waitFor(() => ((edge!.status().streams?.samples.uploaded ?? 0) > 300 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'uploads',
    });
    load.stop();
    await drained(edge, load.produced().samples);
    return edge;
  }

  it.each([
    ['ahead', HOUR_MS],
    ['behind', -HOUR_MS],
  ])(
    "keeps syncing an hour %s, stamps records with the edge's time and raises the alarm",
    async (name, skewMs) => {
      const now = () => Date.now() + skewMs;
      const dataDir = join(dir.path, `edge-${name}`);
      const config = faultEdgeConfig({
        dataDir,
        cloudUrl: faultCloud.url,
        enrollmentCode: await faultCloud.enrollmentCode(),
      });
      const firstRecordMs = now();

      // Enrolling tells the edge the cloud's time before its first upload.
      const first = await runUnderLoad(config, now);
      const edgeId = first.status().edge.edgeId!;
      // Signed with the edge's own clock, its assertions are refused, and the answer says the cloud's time.
      const uncorrected = await (await assertionSigner(readIdentity(identityFile(dataDir))!, { now }))();
      const refused = await fetch(`${faultCloud.url}/api/v1/sync/upload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${uncorrected}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(refused.status).toBe(401);
      expect(Math.abs(Date.parse(refused.headers.get('date') ?? '') - Date.now())).toBeLessThan(
        ESTIMATE_MARGIN_MS,
      );
      await first.stop();

      // Restarted, already enrolled: its first upload goes out before it heard the cloud's time.
      const second = await runUnderLoad(config, now);
      const { cloud } = second.status();
      expect(cloud.status).toBe('ok');
      expect(cloud.lastError).toMatch(/answered 401/);
      expect(Math.abs(cloud.clockSkewMs! - skewMs)).toBeLessThan(ESTIMATE_MARGIN_MS);
      expect(cloud.clockSkewAlarm).toBe(true);
      const metrics = await (await fetch(`${second.url}/metrics`)).text();
      expect(metrics).toContain('unison_edge_clock_skew_alarm 1');
      const reported = Number(/^unison_edge_clock_skew_seconds (\S+)$/m.exec(metrics)?.[1]);
      expect(Math.abs(reported - skewMs / 1000)).toBeLessThan(ESTIMATE_MARGIN_MS / 1000);
      await second.stop();
      edge = undefined;
      const lastRecordMs = now();

      const ledger = readLedger(join(dataDir, 'edge.db'));
      const all = await cloudRows(faultCloud.cloud, faultCloud.org.organizationId);
      const ofEdge = (rows: CloudRow[]) => rows.filter((row) => row.edge_id === edgeId);
      expectExactlyOnceInOrder(ofEdge(all.samples), [{ epoch: ledger.epoch, ids: ledger.samples }]);
      expectExactlyOnceInOrder(ofEdge(all.events), [{ epoch: ledger.epoch, ids: ledger.events }]);

      // The records keep the time the edge saw: an hour off the cloud's, within the runs' window.
      for (const table of [SAMPLES, 'events']) {
        const [span] = await faultCloud.cloud.queryAsTenant(
          faultCloud.org.organizationId,
          `select (extract(epoch from min(ts)) * 1000)::float8 as first, (extract(epoch from max(ts)) * 1000)::float8 as last
         from ${table} where edge_id = $1`,
          [edgeId],
        );
        expect(Number(span?.first)).toBeGreaterThanOrEqual(firstRecordMs - 1000);
        expect(Number(span?.last)).toBeLessThanOrEqual(lastRecordMs + 1000);
      }
      // Each run told the cloud once that this plant's clock is off.
      const alarms = await faultCloud.cloud.queryAsTenant(
        faultCloud.org.organizationId,
        `select payload->>'kind' as kind, (payload->>'skewMs')::float8 as skew from events
       where edge_id = $1 and type = 'edge.alarm' order by seq`,
        [edgeId],
      );
      expect(alarms.map((alarm) => alarm.kind)).toEqual(['clock.skew', 'clock.skew']);
      for (const alarm of alarms)
        expect(Math.abs(Number(alarm.skew) - skewMs)).toBeLessThan(ESTIMATE_MARGIN_MS);
      await expectIsolated(faultCloud);
    },
    60_000,
  );
});
