import { EDGE_ASSERTION_AUDIENCE } from '@unison/contracts';
import type { MiddlewareHandler } from 'hono';
import { decodeProtectedHeader, importJWK, type JWTPayload, jwtVerify } from 'jose';
import type { Database } from '../../db/client.ts';
import { setTenant, withAppRole } from '../../db/tenant.ts';
import type { AppEnv, EdgePrincipal } from '../../http/env.ts';
import { unauthorized } from '../../http/problem.ts';
import { bearerToken } from '../auth/user-auth.middleware.ts';
import { findEdgeForAssertion, purgeExpiredJtis, recordAssertionJti } from './edges.repository.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EdgeAssertionOptions {
  db: Database;
  maxLifetimeSeconds?: number;
  clockToleranceSeconds?: number;
  /** Expired assertion ids of every edge are deleted on the first request and then at most this often. */
  jtiPurgeIntervalMs?: number;
}

/**
 * Requires a JWT signed by an enrolled edge's own key; sets `edge` from the edge's row, never from claims.
 * Each assertion is accepted once (its jti is recorded until it expires).
 */
export function edgeAssertion({
  db,
  maxLifetimeSeconds = 300,
  clockToleranceSeconds = 30,
  jtiPurgeIntervalMs = 60_000,
}: EdgeAssertionOptions): MiddlewareHandler<AppEnv> {
  let lastPurgeMs = Number.NEGATIVE_INFINITY;
  const purgeWhenDue = async () => {
    if (Date.now() - lastPurgeMs < jtiPurgeIntervalMs) return;
    lastPurgeMs = Date.now();
    await withAppRole(db, purgeExpiredJtis);
  };
  const verifyAssertion = async (token: string): Promise<EdgePrincipal> => {
    const edgeId = assertedEdgeId(token);
    return withAppRole(db, async (tx) => {
      const edge = await findEdgeForAssertion(tx, edgeId);
      if (!edge || edge.revoked) throw unauthorized('unknown or revoked edge');
      const payload = await verifySignature(token, edge.publicKey, edgeId, {
        maxLifetimeSeconds,
        clockToleranceSeconds,
      });
      const principal = { edgeId, organizationId: edge.organizationId, plantId: edge.plantId };
      await setTenant(tx, principal);
      const fresh = await recordAssertionJti(tx, {
        edgeId,
        jti: payload.jti!,
        organizationId: edge.organizationId,
        expiresAt: new Date((payload.exp! + clockToleranceSeconds) * 1000),
      });
      if (!fresh) throw unauthorized('assertion replayed');
      return principal;
    });
  };

  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw unauthorized('an edge assertion is required');
    await purgeWhenDue();
    c.set('edge', await verifyAssertion(token));
    await next();
  };
}

function assertedEdgeId(token: string): string {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw unauthorized('malformed edge assertion');
  }
  if (header.alg !== 'EdDSA' && header.alg !== 'Ed25519') throw unauthorized('edge assertions must be EdDSA');
  if (typeof header.kid !== 'string' || !UUID.test(header.kid)) throw unauthorized('kid must be the edge id');
  return header.kid.toLowerCase();
}

async function verifySignature(
  token: string,
  publicJwk: Parameters<typeof importJWK>[0],
  edgeId: string,
  {
    maxLifetimeSeconds,
    clockToleranceSeconds,
  }: { maxLifetimeSeconds: number; clockToleranceSeconds: number },
): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    const key = await importJWK(publicJwk, 'EdDSA');
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ['EdDSA', 'Ed25519'],
      audience: EDGE_ASSERTION_AUDIENCE,
      issuer: edgeId,
      subject: edgeId,
      requiredClaims: ['iat', 'exp', 'jti'],
      maxTokenAge: maxLifetimeSeconds,
      clockTolerance: clockToleranceSeconds,
    }));
  } catch {
    throw unauthorized('invalid edge assertion');
  }
  if (payload.exp! - payload.iat! > maxLifetimeSeconds) {
    throw unauthorized(`edge assertions may live at most ${maxLifetimeSeconds} s`);
  }
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 128) {
    throw unauthorized('jti must be a non-empty string');
  }
  return payload;
}
