import { openDatabase } from '../../cloud/src/db/client.ts';
import { withTenant } from '../../cloud/src/db/tenant.ts';
import type { EdgePrincipal } from '../../cloud/src/http/env.ts';
import { ensureMachines, insertSamples } from '../../cloud/src/modules/ingest/ingest.repository.ts';
import type { Backlog } from './backlog.ts';
import { MACHINES, machineCode } from './backlog.ts';

/**
 * The write path's own limit: the backlog's records in the uplink's batch size, each batch through the
 * ingest's `insertSamples` in one tenant transaction as the app role, one after the other like the
 * uplink, with no HTTP, JSON or uplink around it. Times the transactions only, not the reading of
 * the edge's outbox between them.
 */
export async function measureInsertLimit({
  databaseUrl,
  edge,
  backlog,
  total,
  batchSize,
  onProgress = () => {},
}: {
  databaseUrl: string;
  edge: EdgePrincipal;
  backlog: Backlog;
  total: number;
  batchSize: number;
  onProgress?: (written: number, busyMs: number) => void;
}) {
  const db = await openDatabase({ databaseUrl, poolSize: 1 });
  try {
    const codes = Array.from({ length: MACHINES }, (_, index) => machineCode(index));
    await withTenant(db, edge, (tx) => ensureMachines(tx, edge, codes));
    const transactionMs: number[] = [];
    let written = 0;
    let lastReportMs = performance.now();
    for (let fromSeq = 1; fromSeq <= total; fromSeq += batchSize) {
      const { epoch, records } = backlog.batch(fromSeq, Math.min(total, fromSeq + batchSize - 1));
      const startedMs = performance.now();
      const inserted = await withTenant(db, edge, (tx) => insertSamples(tx, edge, epoch, records));
      transactionMs.push(performance.now() - startedMs);
      if (inserted !== records.length) {
        throw new Error(`insertSamples wrote ${inserted} of ${records.length} records at seq ${fromSeq}`);
      }
      written += inserted;
      if (performance.now() - lastReportMs >= 3000) {
        lastReportMs = performance.now();
        onProgress(
          written,
          transactionMs.reduce((sum, ms) => sum + ms, 0),
        );
      }
    }
    const busyMs = transactionMs.reduce((sum, ms) => sum + ms, 0);
    return { written, recordsPerSecond: written / (busyMs / 1000), transactionMs };
  } finally {
    await db.close();
  }
}
