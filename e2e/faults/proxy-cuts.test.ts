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
import type { ProxyMode, TcpProxy } from './tcp.proxy.ts';

const FAULTS: ProxyMode[] = ['cut-response', 'pass', 'cut-request', 'refuse', 'cut-response', 'pass'];

describe.each(databaseBackends())(
  'fault 1: a proxy cuts connections mid-request and after commit ($kind)',
  (backend) => {
    const dir = tempDir('unison-fault-proxy-');
    let faultCloud: FaultCloud;
    let proxy: TcpProxy;
    let close: (() => Promise<void>) | undefined;
    let edge: Edge | undefined;

    beforeAll(async () => {
      ({ faultCloud, proxy, close } = await startProxiedFaultCloud(backend, { maxChunksPerConnection: 3 }));
    }, 60_000);
    afterAll(async () => {
      await edge?.stop();
      await close?.();
      dir.remove();
    });

    it('delivers every record exactly once, in order, to its own plant only', async () => {
      const dataDir = join(dir.path, 'edge');
      const config = faultEdgeConfig({
        dataDir,
        cloudUrl: proxy.url,
        enrollmentCode: await faultCloud.enrollmentCode(),
        batchSize: 100,
      });
      edge = await startEdge(config, { cloudRetry });
      await waitFor(() => edge?.status().edge.edgeId, { what: 'enrollment through the proxy' });

      proxy.setPlan((i) => FAULTS[i % FAULTS.length]!);
      const load = startLoad(edge.recorder);
      await waitFor(
        () => (proxy.stats.cutResponses >= 3 && proxy.stats.cutRequests >= 3 ? true : undefined),
        {
          timeoutMs: 15_000,
          what: 'cuts before and after the cloud committed',
        },
      );
      load.stop();

      proxy.setPlan(() => 'pass');
      proxy.cutAll();
      await drained(edge, load.produced().samples);
      await edge.stop();
      edge = undefined;

      const ledger = readLedger(join(dataDir, 'edge.db'));
      expect(ledger.samples.length).toBe(load.produced().samples);
      const rows = await cloudRows(faultCloud.cloud, faultCloud.org.organizationId);
      expectExactlyOnceInOrder(rows.samples, [{ epoch: ledger.epoch, ids: ledger.samples }]);
      expectExactlyOnceInOrder(rows.events, [{ epoch: ledger.epoch, ids: ledger.events }]);
      expect(rows.quarantine).toEqual([]);
      await expectIsolated(faultCloud);
    }, 40_000);
  },
);
