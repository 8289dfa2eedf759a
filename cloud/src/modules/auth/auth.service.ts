import type { LoginRequest, LoginResponse } from '@unison/contracts';
import type { Database } from '../../db/client.ts';
import { withAppRole } from '../../db/tenant.ts';
import { unauthorized } from '../../http/problem.ts';
import { findLogin } from './auth.repository.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { UserTokens } from './tokens.ts';

export function createAuthService({ db, tokens }: { db: Database; tokens: UserTokens }) {
  // Unknown emails still pay for one verification, so timing does not reveal which accounts exist.
  const decoyHash = hashPassword('decoy password, never matches');
  return {
    login: async ({ email, password }: LoginRequest): Promise<LoginResponse> => {
      const login = await withAppRole(db, (tx) => findLogin(tx, email.toLowerCase()));
      const matches = await verifyPassword(login?.password_hash ?? (await decoyHash), password);
      if (!login || !matches) throw unauthorized('wrong email or password');
      const { token, expiresInSeconds } = await tokens.issue({
        userId: login.user_id,
        organizationId: login.org_id,
      });
      return { accessToken: token, tokenType: 'Bearer', expiresIn: expiresInSeconds };
    },
  };
}
