import type { SqlSession } from '../../db/client.ts';

export interface LoginRow {
  user_id: string;
  org_id: string;
  password_hash: string;
}

/** Runs before the tenant is known, through the SECURITY DEFINER lookup. */
export async function findLogin(tx: SqlSession, email: string): Promise<LoginRow | undefined> {
  const [row] = await tx.query<LoginRow>('select user_id, org_id, password_hash from auth_find_login($1)', [
    email,
  ]);
  return row;
}

/** Whether the user of the current tenant may still sign in. */
export async function userActive(tx: SqlSession, userId: string): Promise<boolean> {
  const rows = await tx.query('select 1 from users where id = $1 and deactivated_at is null', [userId]);
  return rows.length === 1;
}
