import { USER_TOKEN_AUDIENCE } from '@unison/contracts';
import { createLocalJWKSet, type JWK, jwtVerify, SignJWT } from 'jose';
import type { UserPrincipal } from '../../http/env.ts';
import type { SigningKey } from './signing-keys.repository.ts';

export interface UserTokens {
  issue(user: UserPrincipal): Promise<{ token: string; expiresInSeconds: number }>;
  /** The principal, or undefined for any token that is not one of ours and current. */
  verify(token: string): Promise<UserPrincipal | undefined>;
  jwks(): { keys: JWK[] };
}

export const TOKEN_ISSUER = 'unison-cloud';

export function createUserTokens({
  signingKey,
  ttlSeconds = 15 * 60,
}: {
  signingKey: SigningKey;
  ttlSeconds?: number;
}): UserTokens {
  const jwks = { keys: [signingKey.publicJwk] };
  const keySet = createLocalJWKSet(jwks);
  return {
    issue: async ({ userId, organizationId }) => {
      const token = await new SignJWT({ org: organizationId })
        .setProtectedHeader({ alg: 'EdDSA', kid: signingKey.kid, typ: 'JWT' })
        .setIssuer(TOKEN_ISSUER)
        .setAudience(USER_TOKEN_AUDIENCE)
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(signingKey.privateKey);
      return { token, expiresInSeconds: ttlSeconds };
    },
    verify: async (token) => {
      try {
        const { payload } = await jwtVerify(token, keySet, {
          algorithms: ['EdDSA'],
          issuer: TOKEN_ISSUER,
          audience: USER_TOKEN_AUDIENCE,
          requiredClaims: ['sub', 'exp'],
        });
        if (typeof payload.org !== 'string' || !payload.sub) return undefined;
        return { userId: payload.sub, organizationId: payload.org };
      } catch {
        return undefined;
      }
    },
    jwks: () => jwks,
  };
}
