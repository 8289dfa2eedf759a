import type { SqlSession } from '../../db/client.ts';

export interface ThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  windowMs: number;
}

/** Counts the attempt in advance and returns 0, or returns the seconds to wait and counts nothing. */
export async function admitLoginAttempt(
  tx: SqlSession,
  { account, address }: { account: string; address: string },
  limits: ThrottleLimits,
): Promise<number> {
  const [row] = await tx.query<{ wait_seconds: number }>(
    'select auth_login_admit($1, $2, $3, $4, $5) as wait_seconds',
    [account, address, limits.maxFailuresPerAccount, limits.maxFailuresPerAddress, limits.windowMs],
  );
  return Number(row?.wait_seconds ?? 0);
}

export async function recordLoginSuccess(
  tx: SqlSession,
  { account, address }: { account: string; address: string },
): Promise<void> {
  await tx.query('select auth_login_succeeded($1, $2)', [account, address]);
}
