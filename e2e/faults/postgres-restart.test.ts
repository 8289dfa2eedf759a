import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Edge, startEdge } from '@unison/edge';
import { freePort, tempDir, waitFor } from '@unison/testkit';
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
import { type PostgresCluster, postgresBinaries, startPostgresCluster } from './postgres.cluster.ts';

const bin = postgresBinaries();

/** `restart` is pg_ctl restart under load; `down` keeps the server stopped until the cloud has said so. */
const OUTAGES = [
  { how: 'restart', mode: 'fast' },
  { how: 'down', mode: 'immediate' },
  { how: 'restart', mode: 'immediate' },
  { how: 'down', mode: 'fast' },
] as const;

describe.skipIf(!bin)(
  `fault 3: PostgreSQL restarted under load${bin ? '' : ' (skipped: no initdb/pg_ctl under /usr/lib/postgresql/*/bin)'}`,
  () => {
    const dir = tempDir('unison-fault-pg-');
    let cluster: PostgresCluster | undefined;
    let database: FaultDatabase | undefined;
    let cloud: CloudProcess | undefined;
    let edge: Edge | undefined;
    let load: ReturnType<typeof startLoad> | undefined;

    beforeAll(async () => {
      cluster = await startPostgresCluster(bin!);
      database = await faultDatabase(cluster.url, dir.path);
      cloud = cloudProcess({ port: await freePort(), databaseUrl: database.databaseUrl });
      await cloud.start();
    }, 120_000);
    afterAll(async () => {
      load?.stop();
      await edge?.stop();
      await cloud?.stop('SIGKILL');
      await cluster?.remove();
      dir.remove();
    });

    it('answers 503 while the database is down, recovers by itself and loses or doubles nothing', async () => {
      const dataDir = join(dir.path, 'edge');
      edge = await startEdge(
        faultEdgeConfig({ dataDir, cloudUrl: cloud!.url, enrollmentCode: database!.enrollmentCode }),
        { cloudRetry },
      );
      await waitFor(() => edge?.status().edge.edgeId, { timeoutMs: 20_000, what: 'enrollment' });
      load = startLoad(edge.recorder, { samplesPerTick: 20 });
      const ackedSeq = () => edge!.status().streams?.samples.ackedSeq ?? 0;
      const health = () =>
        fetch(`${cloud!.url}/health`).then(
          (response) => response.status,
          () => 'no answer',
        );
      const pid = cloud!.pid();

      for (const { how, mode } of OUTAGES) {
        const before = ackedSeq();
        await waitFor(() => (ackedSeq() > before + 200 ? true : undefined), {
          timeoutMs: 30_000,
          intervalMs: 20,
          what: `uploads acknowledged before the ${how} -m ${mode}`,
        });
        if (how === 'restart') {
          await cluster!.restart(mode);
        } else {
          await cluster!.stop(mode);
          expect(await health()).toBe(503);
          // Uploads meanwhile fail with a server error, and the edge keeps them.
          await waitFor(
            () => {
              const { status, lastError } = edge!.status().cloud;
              return status === 'unreachable'
                ? /upload answered (5\d\d)/.exec(lastError ?? '')?.[1]
                : undefined;
            },
            { timeoutMs: 15_000, intervalMs: 20, what: 'an upload answered with a 5xx' },
          );
          await sleep(500);
          expect(await health()).toBe(503);
          await cluster!.start();
        }
        // The same process reconnects by itself.
        const recovered = await waitFor(
          async () => (!cloud!.running() ? 'exited' : (await health()) === 200 ? 'reconnected' : undefined),
          { timeoutMs: 30_000, what: 'the cloud reaching its database again' },
        );
        expect(recovered, `the cloud process is gone; its output:\n${cloud!.output()}`).toBe('reconnected');
        expect(cloud!.pid()).toBe(pid);
      }
      load.stop();
      await drained(edge, load.produced().samples, 30_000);
      await edge.stop();
      edge = undefined;
      expect(cloud!.pid()).toBe(pid);

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
  },
);
