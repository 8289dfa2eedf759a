import type { SqlSession } from '../../db/client.ts';

export interface RefreshTokenRow {
  id: string;
  org_id: string;
  user_id: string;
  family_id: string;
  expires_at: Date | string;
  used_at: Date | string | null;
  revoked_at: Date | string | null;
}

/** Runs before the tenant is known, through the SECURITY DEFINER lookup. */
export async function findRefreshToken(
  tx: SqlSession,
  tokenHash: string,
): Promise<RefreshTokenRow | undefined> {
  const [row] = await tx.query<RefreshTokenRow>(
    'select id, org_id, user_id, family_id, expires_at, used_at, revoked_at from auth_find_refresh_token($1)',
    [tokenHash],
  );
  return row;
}

export async function insertRefreshToken(
  tx: SqlSession,
  token: {
    id: string;
    organizationId: string;
    userId: string;
    familyId: string;
    tokenHash: string;
    expiresAt: Date;
  },
): Promise<void> {
  await tx.query(
    `insert into refresh_tokens (id, org_id, user_id, family_id, token_hash, expires_at)
     values ($1, $2, $3, $4, $5, $6)`,
    [
      token.id,
      token.organizationId,
      token.userId,
      token.familyId,
      token.tokenHash,
      token.expiresAt.toISOString(),
    ],
  );
}

/** Marks the token used; false when it was used or revoked already (the row lock decides races). */
export async function claimRefreshToken(tx: SqlSession, id: string): Promise<boolean> {
  const rows = await tx.query(
    `update refresh_tokens set used_at = now()
     where id = $1 and used_at is null and revoked_at is null returning 1`,
    [id],
  );
  return rows.length === 1;
}

export async function revokeRefreshFamily(tx: SqlSession, familyId: string): Promise<void> {
  await tx.query('update refresh_tokens set revoked_at = now() where family_id = $1 and revoked_at is null', [
    familyId,
  ]);
}
