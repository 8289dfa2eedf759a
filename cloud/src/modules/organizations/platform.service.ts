import { uuidv7 } from 'uuidv7';
import type { Database } from '../../db/client.ts';
import { withAppRole } from '../../db/tenant.ts';
import { ProblemError, unauthorized } from '../../http/problem.ts';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottled } from '../auth/auth.service.ts';
import {
  admitLoginAttempt,
  recordLoginSuccess,
  type ThrottleLimits,
} from '../auth/login-throttle.repository.ts';
import { generatePassword, hashPassword, verifyPassword } from '../auth/passwords.ts';
import type { UserTokens } from '../auth/tokens.ts';
import { findPlatformLogin, grantExists, insertPlatformAdmin } from './platform.repository.ts';

/**
 * The organization a platform operator's own token names: no organization has it, so every tenant
 * table shows such a token nothing.
 */
export const PLATFORM_ORGANIZATION_ID = '00000000-0000-0000-0000-000000000000';

/** A platform operator with a generated password (shown once) unless one is given. */
export async function createPlatformAdmin(
  db: Database,
  input: { email: string; password?: string },
): Promise<{ id: string; email: string; password: string }> {
  const email = input.email.trim().toLowerCase();
  const password = input.password ?? generatePassword();
  const id = uuidv7();
  const passwordHash = await hashPassword(password);
  const created = await db.transaction((tx) => insertPlatformAdmin(tx, { id, email, passwordHash }));
  if (!created) throw new ProblemError(409, 'Conflict', `a platform admin with email ${email} exists`);
  return { id, email, password };
}

export function createPlatformAuth({
  db,
  tokens,
  loginThrottle,
}: {
  db: Database;
  tokens: UserTokens;
  loginThrottle?: Partial<ThrottleLimits>;
}) {
  const limits = { ...DEFAULT_LOGIN_THROTTLE, ...loginThrottle };
  // Unknown emails still pay for one verification, so timing does not reveal which accounts exist.
  const decoyHash = hashPassword('decoy password, never matches');
  return {
    login: async (
      { email, password }: { email: string; password: string },
      { clientAddress }: { clientAddress: string },
    ) => {
      // Operators' failures are counted apart from users' (an operator may share a user's email).
      const attempt = { account: `platform:${email.toLowerCase()}`, address: clientAddress };
      const { waitSeconds, login } = await withAppRole(db, async (tx) => {
        const waitSeconds = await admitLoginAttempt(tx, attempt, limits);
        // A throttled attempt learns nothing: the password is not even looked at.
        return {
          waitSeconds,
          login: waitSeconds > 0 ? undefined : await findPlatformLogin(tx, email.toLowerCase()),
        };
      });
      if (waitSeconds > 0) throw new LoginThrottled(waitSeconds);
      const matches = await verifyPassword(login?.password_hash ?? (await decoyHash), password);
      if (!login || !matches) throw unauthorized('wrong email or password');
      await withAppRole(db, (tx) => recordLoginSuccess(tx, attempt));
      const { token, expiresInSeconds } = await tokens.issue({
        userId: login.admin_id,
        organizationId: PLATFORM_ORGANIZATION_ID,
      });
      return { accessToken: token, tokenType: 'Bearer' as const, expiresIn: expiresInSeconds };
    },
    /** A token inside one organization, only while that organization grants the operator a role. */
    tokenForGrantedOrganization: async (adminId: string, organizationId: string) => {
      const granted = await withAppRole(db, (tx) => grantExists(tx, adminId, organizationId));
      if (!granted) throw new ProblemError(404, 'Not Found', 'no current grant from this organization');
      const { token, expiresInSeconds } = await tokens.issue({ userId: adminId, organizationId });
      return { accessToken: token, tokenType: 'Bearer' as const, expiresIn: expiresInSeconds };
    },
  };
}
