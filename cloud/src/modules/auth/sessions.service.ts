import { createHash, randomBytes } from 'node:crypto';
import type { LoginResponse } from '@unison/contracts';
import { uuidv7 } from 'uuidv7';
import type { Database, SqlSession } from '../../db/client.ts';
import { setTenant, withAppRole, withTenant } from '../../db/tenant.ts';
import type { UserPrincipal } from '../../http/env.ts';
import { unauthorized } from '../../http/problem.ts';
import { userActive } from './auth.repository.ts';
import {
  claimRefreshToken,
  findRefreshToken,
  insertRefreshToken,
  type RefreshTokenRow,
  revokeRefreshFamily,
} from './refresh-tokens.repository.ts';
import type { UserTokens } from './tokens.ts';

export const DEFAULT_REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const isPast = (at: Date | string) => new Date(at).getTime() <= Date.now();

export interface SessionsOptions {
  db: Database;
  tokens: UserTokens;
  refreshTokenTtlMs?: number;
}

/** Access tokens paired with rotating refresh tokens; one family per login. */
export function createSessions({
  db,
  tokens,
  refreshTokenTtlMs = DEFAULT_REFRESH_TOKEN_TTL_MS,
}: SessionsOptions) {
  const issuePair = async (tx: SqlSession, user: UserPrincipal, familyId: string): Promise<LoginResponse> => {
    const refreshToken = randomBytes(32).toString('base64url');
    await insertRefreshToken(tx, {
      id: uuidv7(),
      organizationId: user.organizationId,
      userId: user.userId,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(Date.now() + refreshTokenTtlMs),
    });
    const access = await tokens.issue(user);
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: access.expiresInSeconds,
      refreshToken,
      refreshExpiresIn: Math.floor(refreshTokenTtlMs / 1000),
    };
  };

  /** Looks the token up before the tenant is known, then continues inside its tenant. */
  const withRefreshToken = <T>(
    refreshToken: string,
    work: (tx: SqlSession, row: RefreshTokenRow) => Promise<T>,
  ) =>
    withAppRole(db, async (tx) => {
      const row = await findRefreshToken(tx, hashToken(refreshToken));
      if (!row) return undefined;
      await setTenant(tx, { organizationId: row.org_id, userId: row.user_id });
      return { result: await work(tx, row) };
    });

  return {
    start: (user: UserPrincipal): Promise<LoginResponse> =>
      withTenant(db, { organizationId: user.organizationId, userId: user.userId }, async (tx) => {
        if (!(await userActive(tx, user.userId))) throw unauthorized('the account is deactivated');
        return issuePair(tx, user, uuidv7());
      }),

    /** Trades a refresh token for a new pair; a token shown twice ends its whole family. */
    refresh: async (refreshToken: string): Promise<LoginResponse> => {
      const outcome = await withRefreshToken(refreshToken, async (tx, row) => {
        if (row.revoked_at !== null) return 'revoked' as const;
        if (row.used_at === null && isPast(row.expires_at)) return 'expired' as const;
        if (row.used_at !== null || !(await claimRefreshToken(tx, row.id))) {
          await revokeRefreshFamily(tx, row.family_id);
          return 'reused' as const;
        }
        if (!(await userActive(tx, row.user_id))) {
          await revokeRefreshFamily(tx, row.family_id);
          return 'deactivated' as const;
        }
        const user = { userId: row.user_id, organizationId: row.org_id };
        return issuePair(tx, user, row.family_id);
      });
      // Thrown only now, after the family's revocation has committed.
      if (outcome === undefined) throw unauthorized('unknown refresh token');
      if (outcome.result === 'revoked') throw unauthorized('refresh token revoked');
      if (outcome.result === 'expired') throw unauthorized('refresh token expired');
      if (outcome.result === 'deactivated') throw unauthorized('the account is deactivated');
      if (outcome.result === 'reused')
        throw unauthorized('refresh token already used; its session is revoked');
      return outcome.result;
    },

    /** Ends the session the token belongs to; unknown tokens change nothing. */
    logout: async (refreshToken: string): Promise<void> => {
      await withRefreshToken(refreshToken, (tx, row) => revokeRefreshFamily(tx, row.family_id));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
