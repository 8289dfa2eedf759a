import { uuidv7 } from 'uuidv7';
import type { Database } from '../../db/client.ts';
import { withAppRole } from '../../db/tenant.ts';
import { ProblemError, unauthorized } from '../../http/problem.ts';
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

export function createPlatformAuth({ db, tokens }: { db: Database; tokens: UserTokens }) {
  // Unknown emails still pay for one verification, so timing does not reveal which accounts exist.
  const decoyHash = hashPassword('decoy password, never matches');
  return {
    login: async ({ email, password }: { email: string; password: string }) => {
      const login = await withAppRole(db, (tx) => findPlatformLogin(tx, email.toLowerCase()));
      const matches = await verifyPassword(login?.password_hash ?? (await decoyHash), password);
      if (!login || !matches) throw unauthorized('wrong email or password');
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
