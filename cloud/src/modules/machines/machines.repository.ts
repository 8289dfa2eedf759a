import type { SqlSession } from '../../db/client.ts';
import { sqlFilter } from '../../http/pagination.ts';
import type { MachineRow } from './machines.schema.ts';

// Latest values ride along as JSON, so a page of machines is one statement.
const SELECT = `select m.id, m.plant_id, m.line_id, m.code, m.name, m.created_at, m.updated_at,
  coalesce((select json_agg(json_build_object('tag', l.tag, 'num', l.value_num, 'text', l.value_text,
                                              'bool', l.value_bool, 'quality', l.quality, 'ts', l.ts)
                            order by l.tag)
            from machine_latest l where l.machine_id = m.id), '[]') as latest
  from machines m`;

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * A page of machines in their response shape, serialized by the database: the hot list then costs
 * the server one string instead of a row, a Date and an object per machine. The `Machine` schema is
 * the contract; the machines tests hold this SQL to it.
 */
const PAGE = (where: string, limit: string, more: string) => `
select coalesce('[' || string_agg(row_to_json(item)::text, ',' order by p.code, p.id)
                         filter (where p.position <= ${limit}) || ']', '[]') as items,
       count(*) > ${limit} as more,
       min(p.code) filter (where p.position = ${limit}) as last_code,
       min(p.id::text) filter (where p.position = ${limit}) as last_id
from (select m.*, row_number() over (order by m.code, m.id) as position
      from machines m ${where} order by m.code, m.id limit ${more}) p
cross join lateral (
  select p.id, p.plant_id as "plantId", p.line_id as "lineId", p.code, p.name,
         to_char(p.created_at at time zone 'UTC', ${ISO_UTC}) as "createdAt",
         to_char(p.updated_at at time zone 'UTC', ${ISO_UTC}) as "updatedAt",
         coalesce((select ('[' || string_agg(row_to_json(v)::text, ',' order by v.tag) || ']')::json
                   from (select l.tag, coalesce(to_json(l.value_num), to_json(l.value_text), to_json(l.value_bool)) as value,
                                l.quality, to_char(l.ts at time zone 'UTC', ${ISO_UTC}) as ts
                         from machine_latest l where l.machine_id = p.id) v), '[]') as latest
) item`;

export interface MachinePage {
  /** The page's machines as a JSON array of `Machine`. */
  itemsJson: string;
  /** Sort key of the last machine shown when more follow; null on the last page. */
  nextKey: [code: string, id: string] | null;
}

/** Machines ordered by code (then id), the way people look for them. */
export async function listMachines(
  tx: SqlSession,
  query: { plantId?: string; lineId?: string; code?: string; limit: number; after?: readonly unknown[] },
): Promise<MachinePage> {
  const filter = sqlFilter()
    .add('m.plant_id = $?', query.plantId)
    .add('m.line_id = $?', query.lineId)
    .add('m.code = $?', query.code)
    .after('m.code, m.id', query.after);
  const where = filter.where();
  const text = PAGE(where, `${filter.bind(query.limit)}::int`, `${filter.bind(query.limit + 1)}::int`);
  const [page] = await tx.query<{ items: string; more: boolean; last_code: string; last_id: string }>(
    text,
    filter.params,
    { prepare: true },
  );
  return {
    itemsJson: page!.items,
    nextKey: page!.more ? [page!.last_code, page!.last_id] : null,
  };
}

export async function findMachine(tx: SqlSession, id: string): Promise<MachineRow | undefined> {
  const [row] = await tx.query<MachineRow>(`${SELECT} where m.id = $1`, [id], { prepare: true });
  return row;
}

export async function insertMachine(
  tx: SqlSession,
  machine: {
    id: string;
    organizationId: string;
    plantId: string;
    lineId: string | null;
    code: string;
    name: string;
  },
): Promise<void> {
  await tx.query(
    'insert into machines (id, org_id, plant_id, line_id, code, name) values ($1, $2, $3, $4, $5, $6)',
    [machine.id, machine.organizationId, machine.plantId, machine.lineId, machine.code, machine.name],
  );
}

/** `lineId: null` takes the machine off its line; undefined leaves it. */
export async function updateMachine(
  tx: SqlSession,
  id: string,
  patch: { lineId?: string | null; code?: string; name?: string },
): Promise<boolean> {
  const rows = await tx.query(
    `update machines set line_id = case when $2 then $3::uuid else line_id end,
       code = coalesce($4, code), name = coalesce($5, name), updated_at = now()
     where id = $1 returning id`,
    [id, patch.lineId !== undefined, patch.lineId ?? null, patch.code ?? null, patch.name ?? null],
  );
  return rows.length === 1;
}

export async function deleteMachine(tx: SqlSession, id: string): Promise<boolean> {
  return (await tx.query('delete from machines where id = $1 returning id', [id])).length === 1;
}
