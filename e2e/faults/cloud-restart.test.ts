import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Edge, startEdge } from '@unison/edge';
import { databaseBackends, freePort, tempDir, waitFor } from '@unison/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudProcess, cloudProcess } from './cloud.process.ts';
import {
  cloudRows,
  drained,
  expectExactlyOnceInOrder,
  expectIsolated,
  type FaultDatabase,
  faultDatabase,
  faultEdgeConfig,
  readLedger,
} from './fault.harness.ts';
import { cloudRetry, startLoad } from './load.generator.ts';
import { startTcpProxy, type TcpProxy } from './tcp.proxy.ts';

/**
 * When each kill lands: at a moment of the load, or this many ms after a batch's first bytes reached
 * the cloud (as it arrives; around its commit, with the answer not yet out).
 */
const KILLS: ('any moment' | number)[] = ['any moment', 0, 15];

describe.each(databaseBackends())('fault 2: the cloud process is killed and restarted ($kind)', (backend) => {
  const dir = tempDir('unison-fault-cloud-');
  let database: FaultDatabase | undefined;
  let cloud: CloudProcess | undefined;
  let proxy: TcpProxy | undefined;
  let edge: Edge | undefined;
  let load: ReturnType<typeof startLoad> | undefined;

  beforeAll(async () => {
    database = await faultDatabase(backend.kind === 'postgres' ? backend.serverUrl : undefined, dir.path);
    cloud = cloudProcess({ port: await freePort(), ...database });
    await cloud.start();
    // In front of the cloud only to see when a batch is on its way in.
    proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: Number(new URL(cloud.url).port) } });
  }, 90_000);
  afterAll(async () => {
    load?.stop();
    await edge?.stop();
    await cloud?.stop('SIGKILL');
    await proxy?.stop();
    await database?.drop();
    dir.remove();
  });

  it('delivers every record exactly once through SIGKILLs of the cloud, also with a batch in flight', async () => {
    const dataDir = join(dir.path, 'edge');
    edge = await startEdge(
      faultEdgeConfig({ dataDir, cloudUrl: proxy!.url, enrollmentCode: database!.enrollmentCode }),
      { cloudRetry },
    );
    await waitFor(() => edge?.status().edge.edgeId, { timeoutMs: 20_000, what: 'enrollment' });
    load = startLoad(edge.recorder, { samplesPerTick: 20 });
    const ackedSeq = () => edge!.status().streams?.samples.ackedSeq ?? 0;

    const pids = new Set<number | undefined>([cloud!.pid()]);
    for (const moment of KILLS) {
      const before = ackedSeq();
      await waitFor(() => (ackedSeq() > before + 200 ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 20,
        what: 'uploads acknowledged by the restarted cloud',
      });
      if (moment !== 'any moment') {
        await proxy!.nextRequest();
        if (moment > 0) await sleep(moment);
      }
      await cloud!.stop('SIGKILL');
      // The edge keeps recording and retrying into a closed port for a while.
      await sleep(300);
      expect(edge.status().cloud.status).toBe('unreachable');
      await cloud!.start();
      pids.add(cloud!.pid());
    }
    expect(pids.size).toBe(KILLS.length + 1);
    load.stop();
    await drained(edge, load.produced().samples, 30_000);
    await edge.stop();
    edge = undefined;
    // PGlite is one process's files: the verifying cloud opens them once the cloud process is gone.
    await cloud!.stop('SIGTERM');

    const verifier = await database!.open();
    try {
      const ledger = readLedger(join(dataDir, 'edge.db'));
      expect(ledger.samples.length).toBe(load.produced().samples);
      const rows = await cloudRows(verifier.cloud, verifier.org.organizationId);
      expectExactlyOnceInOrder(rows.samples, [{ epoch: ledger.epoch, ids: ledger.samples }]);
      expectExactlyOnceInOrder(rows.events, [{ epoch: ledger.epoch, ids: ledger.events }]);
      expect(rows.quarantine).toEqual([]);
      await expectIsolated(verifier);
    } finally {
      await verifier.cloud.close();
    }
  }, 120_000);
});
