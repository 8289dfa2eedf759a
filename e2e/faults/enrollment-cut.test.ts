import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Edge, startEdge } from '@unison/edge';
import { databaseBackends, tempDir, waitFor } from '@unison/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFile, pendingKeysFile, readIdentity } from '../../edge/src/uplink/identity.ts';
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

describe.each(databaseBackends())(
  'enrollment whose answer is lost after the cloud enrolled the edge ($kind)',
  (backend) => {
    const dir = tempDir('unison-fault-enroll-');
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

    const edgeIds = async () =>
      (await faultCloud.cloud.queryAsTenant(faultCloud.org.organizationId, 'select id::text from edges')).map(
        (row) => row.id,
      );

    it('enrolls the edge once, across retries and a restart, and refuses the code to anyone else', async () => {
      const dataDir = join(dir.path, 'edge');
      const code = await faultCloud.enrollmentCode();
      const config = faultEdgeConfig({ dataDir, cloudUrl: proxy.url, enrollmentCode: code });

      // Two attempts reach the cloud and lose their answers; then the link is down.
      proxy.setPlan((i) => (i < 2 ? 'cut-response' : 'refuse'));
      edge = await startEdge(config, { cloudRetry });
      await waitFor(() => (proxy.stats.cutResponses >= 2 && proxy.stats.refused >= 1 ? true : undefined), {
        what: 'two enrollments answered into a cut connection',
      });
      const enrolledInCloud = await edgeIds();
      expect(enrolledInCloud).toHaveLength(1);
      expect(edge.status().edge.edgeId).toBeUndefined();
      // The edge is restarted before the link comes back: only its saved key pair remains.
      await edge.stop();
      edge = undefined;
      const identity = identityFile(dataDir);
      expect(existsSync(identity)).toBe(false);
      expect(existsSync(pendingKeysFile(identity))).toBe(true);

      proxy.setPlan(() => 'pass');
      edge = await startEdge(config, { cloudRetry });
      await waitFor(() => edge?.status().edge.edgeId, { timeoutMs: 15_000, what: 'enrollment' });
      expect(edge.status().edge.edgeId).toBe(enrolledInCloud[0]);
      expect(readIdentity(identity)?.edgeId).toBe(enrolledInCloud[0]);
      expect(existsSync(pendingKeysFile(identity))).toBe(false);

      // It syncs as that edge.
      const load = startLoad(edge.recorder, { samplesPerTick: 10 });
      await waitFor(() => ((edge!.status().streams?.samples.uploaded ?? 0) > 200 ? true : undefined), {
        timeoutMs: 15_000,
        what: 'uploads',
      });
      load.stop();
      await drained(edge, load.produced().samples);
      await edge.stop();
      edge = undefined;
      const ledger = readLedger(join(dataDir, 'edge.db'));
      const rows = await cloudRows(faultCloud.cloud, faultCloud.org.organizationId);
      expect(new Set(rows.samples.map((row) => row.edge_id))).toEqual(new Set(enrolledInCloud));
      expectExactlyOnceInOrder(rows.samples, [{ epoch: ledger.epoch, ids: ledger.samples }]);
      expectExactlyOnceInOrder(rows.events, [{ epoch: ledger.epoch, ids: ledger.events }]);

      // Another edge with the same code has another key: refused.
      edge = await startEdge(
        faultEdgeConfig({ dataDir: join(dir.path, 'intruder'), cloudUrl: proxy.url, enrollmentCode: code }),
        {
          cloudRetry,
        },
      );
      await waitFor(() => (edge!.status().cloud.status === 'rejected' ? true : undefined), {
        what: 'the code refused to another key',
      });
      expect(edge.status().cloud.lastError).toMatch(/answered 403/);
      expect(edge.status().edge.edgeId).toBeUndefined();
      await edge.stop();
      edge = undefined;
      expect(await edgeIds()).toEqual(enrolledInCloud);
      await expectIsolated(faultCloud);
    }, 60_000);
  },
);
