import type { SqlSession } from '../../db/client.ts';
import { sqlFilter } from '../../http/pagination.ts';

export interface NewOrganization {
  organizationId: string;
  name: string;
  plant: { id: string; code: string; name: string };
  admin: { id: string; email: string; passwordHash: string };
}

/** The organization, its first plant, and its first admin: every plant and the org_admin role. */
export async function insertOrganization(tx: SqlSession, org: NewOrganization): Promise<void> {
  await tx.query('insert into organizations (id, name) values ($1, $2)', [org.organizationId, org.name]);
  await tx.query('insert into plants (id, org_id, code, name) values ($1, $2, $3, $4)', [
    org.plant.id,
    org.organizationId,
    org.plant.code,
    org.plant.name,
  ]);
  await tx.query(
    'insert into users (id, org_id, email, password_hash, all_plants) values ($1, $2, $3, $4, true)',
    [org.admin.id, org.organizationId, org.admin.email, org.admin.passwordHash],
  );
  await tx.query(
    `insert into user_roles (org_id, user_id, role_id)
     select $1, $2, id from roles where org_id is null and key = 'org_admin'`,
    [org.organizationId, org.admin.id],
  );
}

/** Whether an email is taken in any organization, through the same lookup login uses. */
export async function emailTaken(tx: SqlSession, email: string): Promise<boolean> {
  const rows = await tx.query('select 1 from auth_find_login($1)', [email]);
  return rows.length > 0;
}

export interface OrganizationRow {
  id: string;
  name: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, created_at, updated_at';

/** RLS leaves only the caller's own organization. */
export async function listOrganizations(
  tx: SqlSession,
  { limit, after }: { limit: number; after?: readonly unknown[] },
): Promise<OrganizationRow[]> {
  const filter = sqlFilter().after('id', after);
  return tx.query<OrganizationRow>(
    `select ${COLUMNS} from organizations ${filter.where()} order by id limit ${filter.bind(limit + 1)}`,
    filter.params,
  );
}

export async function findOrganization(tx: SqlSession, id: string): Promise<OrganizationRow | undefined> {
  const [row] = await tx.query<OrganizationRow>(`select ${COLUMNS} from organizations where id = $1`, [id]);
  return row;
}

export async function updateOrganization(
  tx: SqlSession,
  id: string,
  patch: { name?: string },
): Promise<OrganizationRow | undefined> {
  const [row] = await tx.query<OrganizationRow>(
    `update organizations set name = coalesce($2, name), updated_at = now() where id = $1 returning ${COLUMNS}`,
    [id, patch.name ?? null],
  );
  return row;
}
