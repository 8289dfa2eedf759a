import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseBackends, tempDir, waitFor } from '@unison/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudRows,
  expectExactlyOnceInOrder,
  expectIsolated,
  type FaultCloud,
  faultEdgeConfig,
  readLedger,
  SAMPLES,
  startFaultCloud,
} from './fault.harness.ts';

const CHILD = join(import.meta.dirname, 'fixtures', 'edge.child.ts');
const KILLS = 3;

/** Starts the edge process and resolves once it records and uploads. */
async function spawnEdge(configFile: string, mode: 'load' | 'drain'): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CHILD, configFile, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => String(chunk).includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`edge exited with ${code} before it was ready`)));
  });
  // Nothing reads its output from here on; a closed pipe must not kill it.
  child.stdout!.resume();
  return child;
}

describe.each(databaseBackends())(
  'fault 4: the edge is SIGKILLed again and again under load ($kind)',
  (backend) => {
    const dir = tempDir('unison-fault-kill-');
    let faultCloud: FaultCloud;
    let running: ChildProcess | undefined;

    beforeAll(async () => {
      faultCloud = await startFaultCloud(backend);
    }, 60_000);
    afterAll(async () => {
      if (running && running.exitCode === null) {
        running.kill('SIGKILL');
        await once(running, 'exit');
      }
      await faultCloud?.close();
      dir.remove();
    });

    it('loses nothing a killed edge committed and duplicates nothing it resent', async () => {
      const dataDir = join(dir.path, 'edge');
      const configFile = join(dir.path, 'edge.json');
      const config = faultEdgeConfig({
        dataDir,
        cloudUrl: faultCloud.url,
        enrollmentCode: await faultCloud.enrollmentCode(),
        batchSize: 500,
      });
      writeFileSync(configFile, JSON.stringify(config));

      const edgeDb = join(dataDir, 'edge.db');
      const inCloud = async () =>
        Number(
          (
            await faultCloud.cloud.queryAsTenant(
              faultCloud.org.organizationId,
              `select count(*)::int as n from ${SAMPLES}`,
            )
          )[0]?.n,
        );
      for (let kill = 0; kill < KILLS; kill++) {
        const before = await inCloud();
        running = await spawnEdge(configFile, 'load');
        // Killed while uploading: after some acknowledgements, with a backlog still waiting. The uplink
        // can drain the outbox for a moment between writes, so both are waited for, then the kill follows.
        await waitFor(
          async () => ((await inCloud()) > before + 100 && readLedger(edgeDb).backlog > 0 ? true : undefined),
          { timeoutMs: 15_000, intervalMs: 20, what: 'uploads under way with a backlog waiting' },
        );
        running.kill('SIGKILL');
        await once(running, 'exit');
      }

      running = await spawnEdge(configFile, 'drain');
      await waitFor(() => (readLedger(edgeDb).backlog === 0 ? true : undefined), {
        timeoutMs: 20_000,
        what: 'the backlog of every killed run delivered',
      });
      running.kill('SIGTERM');
      await once(running, 'exit');
      running = undefined;

      const ledger = readLedger(join(dataDir, 'edge.db'));
      expect(ledger.backlog).toBe(0);
      const rows = await cloudRows(faultCloud.cloud, faultCloud.org.organizationId);
      expectExactlyOnceInOrder(rows.samples, [{ epoch: ledger.epoch, ids: ledger.samples }]);
      expectExactlyOnceInOrder(rows.events, [{ epoch: ledger.epoch, ids: ledger.events }]);
      await expectIsolated(faultCloud);
    }, 45_000);
  },
);
