import type { SqlSession } from '../../db/client.ts';
import { sqlFilter } from '../../http/pagination.ts';
import type { LineRow } from './lines.schema.ts';

const COLUMNS = 'id, plant_id, area_id, code, name, created_at, updated_at';

export async function listLines(
  tx: SqlSession,
  query: { plantId?: string; areaId?: string; code?: string; limit: number; after?: readonly unknown[] },
): Promise<LineRow[]> {
  const filter = sqlFilter()
    .add('plant_id = $?', query.plantId)
    .add('area_id = $?', query.areaId)
    .add('code = $?', query.code)
    .after('id', query.after);
  return tx.query<LineRow>(
    `select ${COLUMNS} from lines ${filter.where()} order by id limit ${filter.bind(query.limit + 1)}`,
    filter.params,
  );
}

export async function findLine(tx: SqlSession, id: string): Promise<LineRow | undefined> {
  const [row] = await tx.query<LineRow>(`select ${COLUMNS} from lines where id = $1`, [id]);
  return row;
}

export async function insertLine(
  tx: SqlSession,
  line: { id: string; organizationId: string; plantId: string; areaId: string; code: string; name: string },
): Promise<LineRow> {
  const [row] = await tx.query<LineRow>(
    `insert into lines (id, org_id, plant_id, area_id, code, name) values ($1, $2, $3, $4, $5, $6)
     returning ${COLUMNS}`,
    [line.id, line.organizationId, line.plantId, line.areaId, line.code, line.name],
  );
  return row!;
}

export async function updateLine(
  tx: SqlSession,
  id: string,
  patch: { code?: string; name?: string },
): Promise<LineRow | undefined> {
  const [row] = await tx.query<LineRow>(
    `update lines set code = coalesce($2, code), name = coalesce($3, name), updated_at = now()
     where id = $1 returning ${COLUMNS}`,
    [id, patch.code ?? null, patch.name ?? null],
  );
  return row;
}

export async function deleteLine(tx: SqlSession, id: string): Promise<boolean> {
  return (await tx.query('delete from lines where id = $1 returning id', [id])).length === 1;
}
