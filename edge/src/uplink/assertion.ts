import { randomUUID } from 'node:crypto';
import { EDGE_ASSERTION_AUDIENCE } from '@unison/contracts';
import { importJWK, SignJWT } from 'jose';
import type { EdgeIdentity } from './identity.ts';

/** Signs a short-lived assertion per request: the cloud learns which edge calls, and a replay is refused. */
export async function assertionSigner(
  identity: EdgeIdentity,
  { now = Date.now, ttlS = 60 }: { now?: () => number; ttlS?: number } = {},
): Promise<() => Promise<string>> {
  const key = await importJWK({ ...identity.privateKey, alg: 'EdDSA' }, 'EdDSA');
  return () => {
    const issuedAtS = Math.floor(now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: identity.edgeId, typ: 'JWT' })
      .setIssuer(identity.edgeId)
      .setSubject(identity.edgeId)
      .setAudience(EDGE_ASSERTION_AUDIENCE)
      .setIssuedAt(issuedAtS)
      .setExpirationTime(issuedAtS + ttlS)
      .setJti(randomUUID())
      .sign(key);
  };
}
