import type { SqlSession } from '../../db/client.ts';
import { sqlFilter } from '../../http/pagination.ts';
import type { RoleRow } from './roles.schema.ts';

const COLUMNS = 'id, org_id, key, name, description, permissions, created_at, updated_at';

/** Built-in roles first (they have no organization), then the organization's own, each by id. */
export async function listRoles(
  tx: SqlSession,
  query: { key?: string; limit: number; after?: readonly unknown[] },
): Promise<RoleRow[]> {
  const filter = sqlFilter().add('key = $?', query.key).after('(org_id is not null)::int, id', query.after);
  return tx.query<RoleRow>(
    `select ${COLUMNS} from roles ${filter.where()}
     order by (org_id is not null)::int, id limit ${filter.bind(query.limit + 1)}`,
    filter.params,
  );
}

export async function findRole(tx: SqlSession, id: string): Promise<RoleRow | undefined> {
  const [row] = await tx.query<RoleRow>(`select ${COLUMNS} from roles where id = $1`, [id]);
  return row;
}

export async function insertRole(
  tx: SqlSession,
  role: {
    id: string;
    organizationId: string;
    key: string;
    name: string;
    description: string;
    permissions: string[];
  },
): Promise<RoleRow> {
  const [row] = await tx.query<RoleRow>(
    `insert into roles (id, org_id, key, name, description, permissions) values ($1, $2, $3, $4, $5, $6)
     returning ${COLUMNS}`,
    [role.id, role.organizationId, role.key, role.name, role.description, role.permissions],
  );
  return row!;
}

/** RLS lets the organization change only its own rows; built-in rows are invisible to UPDATE. */
export async function updateRole(
  tx: SqlSession,
  id: string,
  patch: { name?: string; description?: string; permissions?: string[] },
): Promise<RoleRow | undefined> {
  const [row] = await tx.query<RoleRow>(
    `update roles set name = coalesce($2, name), description = coalesce($3, description),
       permissions = coalesce($4, permissions), updated_at = now()
     where id = $1 returning ${COLUMNS}`,
    [id, patch.name ?? null, patch.description ?? null, patch.permissions ?? null],
  );
  return row;
}

export async function deleteRole(tx: SqlSession, id: string): Promise<boolean> {
  return (await tx.query('delete from roles where id = $1 returning id', [id])).length === 1;
}

/** As the owner at start-up: built-in roles' permissions follow the code. */
export async function upsertBuiltInRole(
  tx: SqlSession,
  key: string,
  permissions: readonly string[],
): Promise<void> {
  const updated = await tx.query(
    'update roles set permissions = $2 where org_id is null and key = $1 and permissions <> $2::text[] returning id',
    [key, permissions],
  );
  if (updated.length > 0) return;
  await tx.query(
    `insert into roles (id, org_id, key, name, permissions)
     select gen_random_uuid(), null, $1, initcap(replace($1, '_', ' ')), $2
     where not exists (select 1 from roles where org_id is null and key = $1)`,
    [key, permissions],
  );
}
