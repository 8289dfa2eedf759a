import type { SqlSession } from '../../db/client.ts';
import { sqlFilter } from '../../http/pagination.ts';

export interface GrantRow {
  id: string;
  platform_admin_id: string;
  role_id: string;
  created_at: Date;
  expires_at: Date;
}

const COLUMNS = 'id, platform_admin_id, role_id, created_at, expires_at';

export async function listGrants(
  tx: SqlSession,
  { limit, after }: { limit: number; after?: readonly unknown[] },
): Promise<GrantRow[]> {
  const filter = sqlFilter().after('id', after);
  return tx.query<GrantRow>(
    `select ${COLUMNS} from platform_grants ${filter.where()} order by id limit ${filter.bind(limit + 1)}`,
    filter.params,
  );
}

export async function insertGrant(
  tx: SqlSession,
  grant: { id: string; organizationId: string; platformAdminId: string; roleId: string; expiresAt: Date },
): Promise<GrantRow> {
  const [row] = await tx.query<GrantRow>(
    `insert into platform_grants (id, org_id, platform_admin_id, role_id, expires_at)
     values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
    [grant.id, grant.organizationId, grant.platformAdminId, grant.roleId, grant.expiresAt.toISOString()],
  );
  return row!;
}

export async function deleteGrant(tx: SqlSession, id: string): Promise<boolean> {
  return (await tx.query('delete from platform_grants where id = $1 returning id', [id])).length === 1;
}
