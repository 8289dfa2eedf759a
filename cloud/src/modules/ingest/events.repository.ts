import type { UploadEventRecord } from '@unison/contracts';
import type { SqlSession } from '../../db/client.ts';
import type { EdgePrincipal } from '../../http/env.ts';

/** Writes events with one set-based statement; a resent event (same id) is skipped. Returns how many were new. */
export async function insertEvents(
  tx: SqlSession,
  edge: EdgePrincipal,
  epoch: string,
  records: UploadEventRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  const column = <T>(pick: (record: UploadEventRecord) => T) => records.map(pick);
  const [result] = await tx.query<{ written: string | number }>(
    `with written as (
       insert into events (id, org_id, plant_id, edge_id, epoch, seq, type, machine_id, source, ts, duration_ms, payload)
       select u.id, $9, $10, $11, $12, u.seq, u.type, m.id, u.source, u.ts, u.duration_ms, u.payload::jsonb
       from unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
                   $7::bigint[], $8::text[])
         as u(id, seq, type, machine, source, ts, duration_ms, payload)
       left join machines m on m.plant_id = $10 and m.code = u.machine
       on conflict (id) do nothing
       returning 1
     )
     select count(*) as written from written`,
    [
      column((r) => r.id),
      column((r) => r.seq),
      column((r) => r.type),
      column((r) => r.machine ?? null),
      column((r) => r.source),
      column((r) => r.ts),
      column((r) => r.durationMs ?? null),
      column((r) => JSON.stringify(r.payload)),
      edge.organizationId,
      edge.plantId,
      edge.edgeId,
      epoch,
    ],
  );
  return Number(result?.written ?? 0);
}
