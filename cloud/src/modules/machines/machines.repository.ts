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

/** Machines ordered by code (then id), the way people look for them. */
export async function listMachines(
  tx: SqlSession,
  query: { plantId?: string; lineId?: string; code?: string; limit: number; after?: readonly unknown[] },
): Promise<MachineRow[]> {
  const filter = sqlFilter()
    .add('m.plant_id = $?', query.plantId)
    .add('m.line_id = $?', query.lineId)
    .add('m.code = $?', query.code)
    .after('m.code, m.id', query.after);
  return tx.query<MachineRow>(
    `${SELECT} ${filter.where()} order by m.code, m.id limit ${filter.bind(query.limit + 1)}`,
    filter.params,
    { prepare: true },
  );
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
