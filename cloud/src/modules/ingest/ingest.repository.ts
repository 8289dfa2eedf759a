import type { UploadRecord } from '@unison/contracts';
import { uuidv7 } from 'uuidv7';
import type { SqlSession } from '../../db/client.ts';
import type { EdgePrincipal } from '../../http/env.ts';
import { arrayLiteral } from './ingest.arrays.ts';

export interface StreamState {
  epoch: string;
  ackedSeq: number;
}

/** Locks the edge's stream cursor for the rest of the transaction, creating it at `epoch` when new. */
export async function lockStream(
  tx: SqlSession,
  edge: EdgePrincipal,
  stream: string,
  epoch: string,
): Promise<StreamState> {
  // The no-op update takes the row lock and returns the row as it stands: one round trip.
  const [row] = await tx.query<{ epoch: string; acked_seq: string | number }>(
    `insert into edge_streams (edge_id, stream, epoch, acked_seq, org_id, plant_id)
     values ($1, $2, $3, 0, $4, $5)
     on conflict (edge_id, stream) do update set epoch = edge_streams.epoch
     returning epoch, acked_seq`,
    [edge.edgeId, stream, epoch, edge.organizationId, edge.plantId],
  );
  if (!row) throw new Error(`edge stream ${edge.edgeId}/${stream} vanished under its lock`);
  return { epoch: row.epoch, ackedSeq: Number(row.acked_seq) };
}

export async function saveStream(tx: SqlSession, edge: EdgePrincipal, stream: string, state: StreamState) {
  await tx.query(
    'update edge_streams set epoch = $3, acked_seq = $4, updated_at = now() where edge_id = $1 and stream = $2',
    [edge.edgeId, stream, state.epoch, state.ackedSeq],
  );
}

/** Creates the machines a batch names that the plant does not have yet, named by their code. */
export async function ensureMachines(tx: SqlSession, edge: EdgePrincipal, codes: string[]): Promise<void> {
  if (codes.length === 0) return;
  await tx.query(
    `insert into machines (id, org_id, plant_id, code, name)
     select id, $3, $4, code, code from unnest($1::uuid[], $2::text[]) as m(id, code)
     on conflict (plant_id, code) do nothing`,
    [codes.map(() => uuidv7()), codes, edge.organizationId, edge.plantId],
  );
}

/**
 * Writes samples with one statement: ingest_samples() inserts them (the app role has no grant on
 * samples; organization, plant and edge come from the transaction's edge context), and the rows it
 * wrote move each machine's latest value forward under RLS. Returns how many samples were new.
 */
export async function insertSamples(
  tx: SqlSession,
  edge: EdgePrincipal,
  epoch: string,
  records: UploadRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  const column = (pick: (record: UploadRecord) => string | number | boolean | null) =>
    arrayLiteral(records.map(pick));
  const typed = (kind: string) => column((r) => (typeof r.value === kind ? r.value : null));
  const [result] = await tx.query<{ written: string | number }>(
    `with written as (
       select * from ingest_samples($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[],
                                    $6::float8[], $7::text[], $8::bool[], $9::text[], $10::uuid)
     ),
     newest as (
       select distinct on (machine_id, tag) * from written order by machine_id, tag, ts desc
     ),
     latest as (
       insert into machine_latest (machine_id, tag, org_id, plant_id, value_num, value_text, value_bool, quality, ts)
       select machine_id, tag, $11, $12, value_num, value_text, value_bool, quality, ts from newest
       on conflict (machine_id, tag) do update
         set value_num = excluded.value_num, value_text = excluded.value_text,
             value_bool = excluded.value_bool, quality = excluded.quality, ts = excluded.ts
         where excluded.ts >= machine_latest.ts
     )
     select count(*) as written from written`,
    [
      column((r) => r.id),
      column((r) => r.seq),
      column((r) => r.machine),
      column((r) => r.tag),
      column((r) => r.ts),
      typed('number'),
      typed('string'),
      typed('boolean'),
      column((r) => r.quality),
      epoch,
      edge.organizationId,
      edge.plantId,
    ],
    { prepare: true },
  );
  return Number(result?.written ?? 0);
}
