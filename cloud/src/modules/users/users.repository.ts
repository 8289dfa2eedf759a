import type { SqlSession } from '../../db/client.ts';
import { sqlFilter } from '../../http/pagination.ts';
import type { UserRow } from './users.schema.ts';

const SELECT = `select u.id, u.email, u.name, u.all_plants, u.deactivated_at, u.created_at,
  coalesce((select array_agg(r.role_id order by r.role_id) from user_roles r where r.user_id = u.id), '{}') as role_ids,
  coalesce((select array_agg(a.plant_id order by a.plant_id) from user_plant_access a where a.user_id = u.id), '{}')
    as plant_ids
  from users u`;

export async function listUsers(
  tx: SqlSession,
  query: { email?: string; active?: boolean; limit: number; after?: readonly unknown[] },
): Promise<UserRow[]> {
  const filter = sqlFilter()
    .add('u.email = lower($?)', query.email)
    .add('(u.deactivated_at is null) = $?', query.active)
    .after('u.id', query.after);
  return tx.query<UserRow>(
    `${SELECT} ${filter.where()} order by u.id limit ${filter.bind(query.limit + 1)}`,
    filter.params,
  );
}

export async function findUser(tx: SqlSession, id: string): Promise<UserRow | undefined> {
  const [row] = await tx.query<UserRow>(`${SELECT} where u.id = $1`, [id]);
  return row;
}

export async function insertUser(
  tx: SqlSession,
  user: { id: string; organizationId: string; email: string; name: string; passwordHash: string },
): Promise<void> {
  await tx.query('insert into users (id, org_id, email, name, password_hash) values ($1, $2, $3, $4, $5)', [
    user.id,
    user.organizationId,
    user.email,
    user.name,
    user.passwordHash,
  ]);
}

export async function updateUserName(tx: SqlSession, id: string, name: string): Promise<void> {
  await tx.query('update users set name = $2 where id = $1', [id, name]);
}

export async function deactivateUser(tx: SqlSession, id: string): Promise<boolean> {
  const rows = await tx.query(
    'update users set deactivated_at = coalesce(deactivated_at, now()) where id = $1 returning id',
    [id],
  );
  return rows.length === 1;
}

/** Replaces the user's roles with exactly these. */
export async function setUserRoles(
  tx: SqlSession,
  user: { id: string; organizationId: string },
  roleIds: readonly string[],
): Promise<void> {
  await tx.query('delete from user_roles where user_id = $1 and not (role_id = any($2::uuid[]))', [
    user.id,
    roleIds,
  ]);
  await tx.query(
    `insert into user_roles (org_id, user_id, role_id) select $1, $2, unnest($3::uuid[]) on conflict do nothing`,
    [user.organizationId, user.id, roleIds],
  );
}

/** Replaces the user's plant access with exactly this. */
export async function setUserPlantAccess(
  tx: SqlSession,
  user: { id: string; organizationId: string },
  access: 'all' | readonly string[],
): Promise<void> {
  const plantIds = access === 'all' ? [] : access;
  await tx.query('update users set all_plants = $2 where id = $1', [user.id, access === 'all']);
  await tx.query('delete from user_plant_access where user_id = $1 and not (plant_id = any($2::uuid[]))', [
    user.id,
    plantIds,
  ]);
  await tx.query(
    `insert into user_plant_access (org_id, user_id, plant_id) select $1, $2, unnest($3::uuid[])
     on conflict do nothing`,
    [user.organizationId, user.id, plantIds],
  );
}

export async function visibleRoles(
  tx: SqlSession,
  roleIds: readonly string[],
): Promise<{ id: string; permissions: string[] }[]> {
  return tx.query('select id, permissions from roles where id = any($1::uuid[])', [roleIds]);
}

export async function visiblePlantIds(tx: SqlSession, plantIds: readonly string[]): Promise<string[]> {
  const rows = await tx.query<{ id: string }>('select id from plants where id = any($1::uuid[])', [plantIds]);
  return rows.map((row) => row.id);
}
