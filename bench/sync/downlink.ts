import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../cloud/src/db/client.ts';
import { withOwnerInTenant } from '../../cloud/src/db/tenant.ts';
import { startDownlink } from '../../edge/src/downlink/downlink.ts';
import { replicaReads } from '../../edge/src/downlink/replica.reads.ts';
import { createReplicaRepository } from '../../edge/src/downlink/replica.repository.ts';
import { openEdgeDatabase } from '../../edge/src/store/sqlite.ts';
import type { EdgeIdentity } from '../../edge/src/uplink/identity.ts';
import type { CloudProcessReady } from './cloud.process.ts';
import { percentile } from './drain.ts';
import { benchLog } from './log.ts';

/** Polls `probe` every millisecond or so until it holds; the time it took, or throws at the deadline. */
async function timeUntil(probe: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const startedMs = performance.now();
  while (!probe()) {
    if (performance.now() - startedMs > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
  return performance.now() - startedMs;
}

/**
 * The downlink, both ways it is felt on the shop floor: a fresh edge's first snapshot of a plant
 * holding `snapshotRows` materials (inserted as the owner), then `changes` machine renames through
 * the cloud's API, each timed from the request sent until the edge's replica shows the new name.
 */
export async function measureDownlink({
  cloud,
  databaseUrl,
  identity,
  dataDir,
  snapshotRows = 100_000,
  changes = 50,
  onProgress = () => {},
}: {
  cloud: CloudProcessReady;
  databaseUrl: string;
  identity: EdgeIdentity;
  dataDir: string;
  snapshotRows?: number;
  changes?: number;
  onProgress?: (line: string) => void;
}) {
  const owner = await openDatabase({ databaseUrl, poolSize: 1 });
  try {
    await withOwnerInTenant(owner, { organizationId: cloud.organizationId }, (tx) =>
      tx.query(
        `insert into materials (id, org_id, code, name, unit)
         select gen_random_uuid(), $1, 'mat-' || lpad(n::text, 6, '0'), 'Material ' || n, 'pcs'
         from generate_series(1, $2) as n`,
        [cloud.organizationId, snapshotRows],
      ),
    );
  } finally {
    await owner.close();
  }

  const database = openEdgeDatabase(join(dataDir, 'downlink-edge.db'));
  const replica = createReplicaRepository(database.sqlite);
  const reads = replicaReads(database.sqlite);
  const startedMs = performance.now();
  const downlink = startDownlink({
    replica,
    identity: Promise.resolve(identity),
    cloudUrl: cloud.url,
    log: benchLog,
  });
  try {
    await timeUntil(
      () => {
        const state = replica.state();
        return state.snapshotCompletedMs !== null && !state.snapshotActive;
      },
      5 * 60_000,
      'the first snapshot',
    );
    const snapshotMs = performance.now() - startedMs;
    const snapshotRowsApplied = downlink.status().snapshot.rows;
    const materials = downlink.status().rows.material;
    if (materials < snapshotRows)
      throw new Error(`the snapshot brought ${materials} of ${snapshotRows} materials`);
    onProgress(
      `  snapshot: ${snapshotRowsApplied.toLocaleString('en-US')} rows in ${(snapshotMs / 1000).toFixed(1)} s`,
    );

    const login = await fetch(`${cloud.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(cloud.admin),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const machine = reads.list('machine')[0];
    if (!machine) throw new Error('the replica holds no machine to rename');
    const latenciesMs: number[] = [];
    for (let index = 1; index <= changes; index++) {
      const name = `Renamed ${index}`;
      const startedMs = performance.now();
      const renamed = await fetch(`${cloud.url}/api/v1/machines/${machine.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ name }),
      });
      if (!renamed.ok) throw new Error(`rename answered ${renamed.status}: ${await renamed.text()}`);
      await timeUntil(() => reads.get('machine', machine.id)?.name === name, 30_000, `rename ${index}`);
      latenciesMs.push(performance.now() - startedMs);
      // Changes arrive on their own, not back to back: the edge is back in its long-poll for the next.
      await sleep(20 + Math.random() * 80);
    }
    return {
      snapshotRows: snapshotRowsApplied,
      snapshotSeconds: snapshotMs / 1000,
      changes: latenciesMs.length,
      p50Ms: percentile(latenciesMs, 50),
      p95Ms: percentile(latenciesMs, 95),
      errors: downlink.status().errors,
    };
  } finally {
    await downlink.stop();
    database.close();
  }
}
