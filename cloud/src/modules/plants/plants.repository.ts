import type { SqlSession } from '../../db/client.ts';
import { sqlFilter } from '../../http/pagination.ts';
import type { PlantRow } from './plants.schema.ts';

const COLUMNS = 'id, code, name, created_at, updated_at';

export async function listPlants(
  tx: SqlSession,
  { code, limit, after }: { code?: string; limit: number; after?: readonly unknown[] },
): Promise<PlantRow[]> {
  const filter = sqlFilter().add('code = $?', code).after('id', after);
  return tx.query<PlantRow>(
    `select ${COLUMNS} from plants ${filter.where()} order by id limit ${filter.bind(limit + 1)}`,
    filter.params,
  );
}

export async function findPlant(tx: SqlSession, id: string): Promise<PlantRow | undefined> {
  const [row] = await tx.query<PlantRow>(`select ${COLUMNS} from plants where id = $1`, [id]);
  return row;
}

export async function insertPlant(
  tx: SqlSession,
  plant: { id: string; organizationId: string; code: string; name: string },
): Promise<PlantRow> {
  const [row] = await tx.query<PlantRow>(
    `insert into plants (id, org_id, code, name) values ($1, $2, $3, $4) returning ${COLUMNS}`,
    [plant.id, plant.organizationId, plant.code, plant.name],
  );
  return row!;
}

export async function updatePlant(
  tx: SqlSession,
  id: string,
  patch: { code?: string; name?: string },
): Promise<PlantRow | undefined> {
  const [row] = await tx.query<PlantRow>(
    `update plants set code = coalesce($2, code), name = coalesce($3, name), updated_at = now()
     where id = $1 returning ${COLUMNS}`,
    [id, patch.code ?? null, patch.name ?? null],
  );
  return row;
}

export async function deletePlant(tx: SqlSession, id: string): Promise<boolean> {
  return (await tx.query('delete from plants where id = $1 returning id', [id])).length === 1;
}
