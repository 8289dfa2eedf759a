import type { SqlSession } from '../../db/client.ts';

/** Runs before any tenant is known, through the SECURITY DEFINER lookup. */
export async function findPlatformLogin(
  tx: SqlSession,
  email: string,
): Promise<{ admin_id: string; password_hash: string } | undefined> {
  const [row] = await tx.query<{ admin_id: string; password_hash: string }>(
    'select admin_id, password_hash from platform_find_login($1)',
    [email],
  );
  return row;
}

export async function platformAdminExists(tx: SqlSession, adminId: string): Promise<boolean> {
  const [row] = await tx.query<{ exists: boolean }>('select platform_admin_exists($1) as exists', [adminId]);
  return row?.exists === true;
}

export async function findPlatformAdminId(tx: SqlSession, email: string): Promise<string | undefined> {
  const [row] = await tx.query<{ id: string | null }>('select platform_find_admin($1) as id', [email]);
  return row?.id ?? undefined;
}

/** As the owner: the app role has no grant on platform_admins. */
export async function insertPlatformAdmin(
  tx: SqlSession,
  admin: { id: string; email: string; passwordHash: string },
): Promise<boolean> {
  const rows = await tx.query(
    `insert into platform_admins (id, email, password_hash) values ($1, $2, $3)
     on conflict (email) do nothing returning id`,
    [admin.id, admin.email, admin.passwordHash],
  );
  return rows.length === 1;
}

export interface OrganizationNameRow {
  id: string;
  name: string;
  created_at: Date;
}

/** Names only, through the definer function: platform operators read no tenant tables. */
export async function listOrganizationNames(
  tx: SqlSession,
  { limit, after }: { limit: number; after?: readonly unknown[] },
): Promise<OrganizationNameRow[]> {
  return tx.query<OrganizationNameRow>(
    'select id, name, created_at from platform_list_organizations($1::uuid, $2)',
    [after?.[0] ?? null, limit + 1],
  );
}

export async function grantExists(tx: SqlSession, adminId: string, organizationId: string): Promise<boolean> {
  const rows = await tx.query(`select 1 from authz_access($1, $2) where kind = 'platform_admin'`, [
    adminId,
    organizationId,
  ]);
  return rows.length > 0;
}
