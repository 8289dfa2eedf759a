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
const isoText = (column: string) => `to_char(${column} at time zone 'UTC', ${ISO_UTC})`;

// One value of `machine_latest` as `LatestValue` JSON text; quality needs no escaping, its CHECK allows three words.
const LATEST_VALUE_JSON = `concat('{"tag":', to_json(l.tag),
    ',"value":', coalesce(to_json(l.value_num)::text, to_json(l.value_text)::text, to_json(l.value_bool)::text, 'null'),
    ',"quality":"', l.quality, '","ts":"', ${isoText('l.ts')}, '"}')`;

// One machine as `Machine` JSON text: the same bytes row_to_json gave, at less cost. One concat(), not a
// chain of ||: each operator is a function, and the app role's right to execute each is checked every run.
const MACHINE_JSON = `concat('{"id":"', p.id, '","plantId":"', p.plant_id,
    '","lineId":', coalesce('"' || p.line_id || '"', 'null'),
    ',"code":', to_json(p.code), ',"name":', to_json(p.name),
    ',"createdAt":"', ${isoText('p.created_at')}, '","updatedAt":"', ${isoText('p.updated_at')},
    '","latest":', coalesce(latest.by_machine ->> p.id::text, '[]'), '}')`;

/**
 * A page of machines in their response shape, serialized by the database: the hot list then costs
 * the server one string instead of a row, a Date and an object per machine. The `Machine` schema is
 * the contract; the machines tests hold this SQL to it. The one extra row fetched only says whether
 * more follow: the filter keeps it out of the items, and its JSON is never built. The latest values
 * of the page's machines are gathered in one pass (an uncorrelated subquery runs once), not looked
 * up machine by machine.
 */
const PAGE = (where: string, limit: string, more: string) => `
with page as (select m.*, row_number() over (order by m.code, m.id) as position
              from machines m ${where} order by m.code, m.id limit ${more})
select coalesce('[' || string_agg(${MACHINE_JSON}, ',' order by p.position)
                         filter (where p.position <= ${limit}) || ']', '[]') as items,
       count(*) > ${limit} as more,
       min(p.code) filter (where p.position = ${limit}) as last_code,
       min(p.id::text) filter (where p.position = ${limit}) as last_id
from page p,
     (select (select jsonb_object_agg(v.machine_id, v.latest)
              from (select l.machine_id, '[' || string_agg(${LATEST_VALUE_JSON}, ',' order by l.tag) || ']' as latest
                    from machine_latest l
                    where l.machine_id = any (array(select id from page where position <= ${limit}))
                    group by l.machine_id) v) as by_machine) latest`;

// The few texts the filters make, each built once: the same string each time is cheap to look up.
const pageTexts = new Map<string, string>();
function pageText(where: string, limit: string, more: string): string {
  const key = `${where}|${limit}|${more}`;
  let text = pageTexts.get(key);
  if (text === undefined) {
    text = PAGE(where, limit, more);
    pageTexts.set(key, text);
  }
  return text;
}

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
  const limit = `${filter.bind(query.limit)}::int`;
  const more = `${filter.bind(query.limit + 1)}::int`;
  const text = pageText(where, limit, more);
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
