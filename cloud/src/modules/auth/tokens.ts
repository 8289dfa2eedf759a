import { USER_TOKEN_AUDIENCE, USER_TOKEN_ISSUER } from '@unison/contracts';
import { type JWK, type JWTHeaderParameters, jwtVerify, SignJWT } from 'jose';
import type { UserPrincipal } from '../../http/env.ts';
import type { SigningKeyRing } from './signing-key-ring.ts';

export interface UserTokens {
  issue(user: UserPrincipal): Promise<{ token: string; expiresInSeconds: number }>;
  /** The principal, or undefined for any token that is not one of ours and current. */
  verify(token: string): Promise<UserPrincipal | undefined>;
  jwks(): Promise<{ keys: JWK[] }>;
}

export const TOKEN_ISSUER = USER_TOKEN_ISSUER;
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

interface VerifiedToken {
  principal: UserPrincipal;
  kid: string;
  expiresAtMs: number;
}

export function createUserTokens({
  keys,
  ttlSeconds = DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  verifiedCacheSize = 10_000,
  now = Date.now,
}: {
  keys: SigningKeyRing;
  ttlSeconds?: number;
  /** Tokens whose signature was checked, kept until they expire: an Ed25519 verify costs more than the rest of a read. */
  verifiedCacheSize?: number;
  now?: () => number;
}): UserTokens {
  // Keyed by the whole token, so only the exact bytes that verified can hit; failures are never kept.
  const verified = new Map<string, VerifiedToken>();
  const remember = (token: string, entry: VerifiedToken) => {
    if (verified.size >= verifiedCacheSize) {
      for (const [cached, { expiresAtMs }] of verified) if (expiresAtMs <= now()) verified.delete(cached);
      if (verified.size >= verifiedCacheSize) verified.delete(verified.keys().next().value!);
    }
    verified.set(token, entry);
  };
  const recall = async (token: string) => {
    const entry = verified.get(token);
    if (!entry) return undefined;
    // The key must still verify now: a retired key stops its tokens at the end of the rollover window.
    if (entry.expiresAtMs > now() && (await keys.find(entry.kid))) return entry.principal;
    verified.delete(token);
    return undefined;
  };
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
      const cached = await recall(token);
      if (cached) return cached;
      try {
        const { payload, protectedHeader } = await jwtVerify(token, verificationKey, {
          algorithms: ['EdDSA'],
          issuer: TOKEN_ISSUER,
          audience: USER_TOKEN_AUDIENCE,
          requiredClaims: ['sub', 'exp', 'iat'],
          currentDate: new Date(now()),
        });
        if (typeof payload.org !== 'string' || !payload.sub || !protectedHeader.kid) return undefined;
        const principal = { userId: payload.sub, organizationId: payload.org };
        remember(token, { principal, kid: protectedHeader.kid, expiresAtMs: payload.exp! * 1000 });
        return principal;
      } catch {
        return undefined;
      }
    },
    jwks: async () => ({ keys: await keys.publicJwks() }),
  };
}
