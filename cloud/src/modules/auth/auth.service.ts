import type { LoginRequest, LoginResponse } from '@unison/contracts';
import type { Database } from '../../db/client.ts';
import { withAppRole } from '../../db/tenant.ts';
import { ProblemError, unauthorized } from '../../http/problem.ts';
import { findLogin } from './auth.repository.ts';
import { admitLoginAttempt, recordLoginSuccess, type ThrottleLimits } from './login-throttle.repository.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { Sessions } from './sessions.service.ts';

export const DEFAULT_LOGIN_THROTTLE: ThrottleLimits = {
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 20,
  windowMs: 15 * 60 * 1000,
};

/** A 429 that tells the client when to come back. */
export class LoginThrottled extends ProblemError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(429, 'Too Many Requests', `too many failed logins; try again in ${retryAfterSeconds} s`, {
      retryAfter: retryAfterSeconds,
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface AuthServiceOptions {
  db: Database;
  sessions: Sessions;
  loginThrottle?: Partial<ThrottleLimits>;
}

export function createAuthService({ db, sessions, loginThrottle }: AuthServiceOptions) {
  const limits = { ...DEFAULT_LOGIN_THROTTLE, ...loginThrottle };
  // Unknown emails still pay for one verification, so timing does not reveal which accounts exist.
  const decoyHash = hashPassword('decoy password, never matches');
  return {
    login: async (
      { email, password }: LoginRequest,
      { clientAddress }: { clientAddress: string },
    ): Promise<LoginResponse> => {
      const attempt = { account: email.toLowerCase(), address: clientAddress };
      const { waitSeconds, login } = await withAppRole(db, async (tx) => {
        const waitSeconds = await admitLoginAttempt(tx, attempt, limits);
        // A throttled attempt learns nothing: the password is not even looked at.
        return { waitSeconds, login: waitSeconds > 0 ? undefined : await findLogin(tx, attempt.account) };
      });
      if (waitSeconds > 0) throw new LoginThrottled(waitSeconds);
      const matches = await verifyPassword(login?.password_hash ?? (await decoyHash), password);
      if (!login || !matches) throw unauthorized('wrong email or password');
      await withAppRole(db, (tx) => recordLoginSuccess(tx, attempt));
      return sessions.start({ userId: login.user_id, organizationId: login.org_id });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
