import { USER_TOKEN_AUDIENCE } from '@unison/contracts';
import { type JWK, type JWTHeaderParameters, jwtVerify, SignJWT } from 'jose';
import type { UserPrincipal } from '../../http/env.ts';
import type { SigningKeyRing } from './signing-key-ring.ts';

export interface UserTokens {
  issue(user: UserPrincipal): Promise<{ token: string; expiresInSeconds: number }>;
  /** The principal, or undefined for any token that is not one of ours and current. */
  verify(token: string): Promise<UserPrincipal | undefined>;
  jwks(): Promise<{ keys: JWK[] }>;
}

export const TOKEN_ISSUER = 'unison-cloud';
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export function createUserTokens({
  keys,
  ttlSeconds = DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
}: {
  keys: SigningKeyRing;
  ttlSeconds?: number;
}): UserTokens {
  const verificationKey = async ({ kid }: JWTHeaderParameters) => {
    const key = kid ? await keys.find(kid) : undefined;
    if (!key) throw new Error('unknown or expired signing key');
    return key.publicKey;
  };
  return {
    issue: async ({ userId, organizationId }) => {
      const signer = await keys.current();
      const token = await new SignJWT({ org: organizationId })
        .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: 'JWT' })
        .setIssuer(TOKEN_ISSUER)
        .setAudience(USER_TOKEN_AUDIENCE)
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(signer.privateKey);
      return { token, expiresInSeconds: ttlSeconds };
    },
    verify: async (token) => {
      try {
        const { payload } = await jwtVerify(token, verificationKey, {
          algorithms: ['EdDSA'],
          issuer: TOKEN_ISSUER,
          audience: USER_TOKEN_AUDIENCE,
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        if (typeof payload.org !== 'string' || !payload.sub) return undefined;
        return { userId: payload.sub, organizationId: payload.org };
      } catch {
        return undefined;
      }
    },
    jwks: async () => ({ keys: await keys.publicJwks() }),
  };
}
