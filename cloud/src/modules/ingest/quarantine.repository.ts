import { uuidv7 } from 'uuidv7';
import type { SqlSession } from '../../db/client.ts';
import type { EdgePrincipal } from '../../http/env.ts';
import type { RejectedRecord } from './ingest.records.ts';

/** Sets records aside with their reason; a resent record is kept once. Returns how many are new. */
export async function insertQuarantined(
  tx: SqlSession,
  edge: EdgePrincipal,
  stream: string,
  epoch: string,
  records: RejectedRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  const [result] = await tx.query<{ written: string | number }>(
    `with written as (
       insert into sync_quarantine (id, org_id, plant_id, edge_id, stream, epoch, seq, reason, record)
       select id, $5, $6, $7, $8, $9, seq, reason, record
       from unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[]) as q(id, seq, reason, record)
       on conflict (edge_id, stream, epoch, seq) do nothing
       returning 1
     )
     select count(*) as written from written`,
    [
      records.map(() => uuidv7()),
      records.map((r) => r.seq),
      records.map((r) => r.reason.slice(0, 1000)),
      records.map((r) => r.raw),
      edge.organizationId,
      edge.plantId,
      edge.edgeId,
      stream,
      epoch,
    ],
  );
  return Number(result?.written ?? 0);
}
