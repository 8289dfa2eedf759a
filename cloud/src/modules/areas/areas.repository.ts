import type { SqlSession } from '../../db/client.ts';
import { sqlFilter } from '../../http/pagination.ts';
import type { AreaRow } from './areas.schema.ts';

const COLUMNS = 'id, plant_id, code, name, created_at, updated_at';

export async function listAreas(
  tx: SqlSession,
  query: { plantId?: string; code?: string; limit: number; after?: readonly unknown[] },
): Promise<AreaRow[]> {
  const filter = sqlFilter()
    .add('plant_id = $?', query.plantId)
    .add('code = $?', query.code)
    .after('id', query.after);
  return tx.query<AreaRow>(
    `select ${COLUMNS} from areas ${filter.where()} order by id limit ${filter.bind(query.limit + 1)}`,
    filter.params,
  );
}

export async function findArea(tx: SqlSession, id: string): Promise<AreaRow | undefined> {
  const [row] = await tx.query<AreaRow>(`select ${COLUMNS} from areas where id = $1`, [id]);
  return row;
}

export async function insertArea(
  tx: SqlSession,
  area: { id: string; organizationId: string; plantId: string; code: string; name: string },
): Promise<AreaRow> {
  const [row] = await tx.query<AreaRow>(
    `insert into areas (id, org_id, plant_id, code, name) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
    [area.id, area.organizationId, area.plantId, area.code, area.name],
  );
  return row!;
}

export async function updateArea(
  tx: SqlSession,
  id: string,
  patch: { code?: string; name?: string },
): Promise<AreaRow | undefined> {
  const [row] = await tx.query<AreaRow>(
    `update areas set code = coalesce($2, code), name = coalesce($3, name), updated_at = now()
     where id = $1 returning ${COLUMNS}`,
    [id, patch.code ?? null, patch.name ?? null],
  );
  return row;
}

export async function deleteArea(tx: SqlSession, id: string): Promise<boolean> {
  return (await tx.query('delete from areas where id = $1 returning id', [id])).length === 1;
}
