import { createHash, randomBytes } from 'node:crypto';
import type { EnrollRequest, EnrollResponse } from '@unison/contracts';
import { importJWK, type JWK } from 'jose';
import { uuidv7 } from 'uuidv7';
import type { Database } from '../../db/client.ts';
import { setTenant, type TenantContext, withAppRole, withTenant } from '../../db/tenant.ts';
import { notFound, ProblemError } from '../../http/problem.ts';
import { consumeEnrollmentCode, insertEdge, insertEnrollmentCode, plantVisible } from './edges.repository.ts';

export const DEFAULT_ENROLLMENT_TTL_MS = 24 * 60 * 60 * 1000;

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');

export interface EnrollmentCodeInput {
  organizationId: string;
  plantId: string;
  ttlMs?: number;
  /** The caller's tenant context (its plants, itself as the actor); the organization alone otherwise. */
  context?: TenantContext;
}

/** A single-use code for enrolling an edge into the plant; only its hash is stored. */
export async function createEnrollmentCode(
  db: Database,
  { organizationId, plantId, ttlMs = DEFAULT_ENROLLMENT_TTL_MS, context }: EnrollmentCodeInput,
): Promise<{ code: string; expiresAt: string }> {
  const code = randomBytes(20).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlMs);
  await withTenant(db, { ...context, organizationId }, async (tx) => {
    if (!(await plantVisible(tx, plantId))) throw notFound('plant');
    await insertEnrollmentCode(tx, { codeHash: hashCode(code), organizationId, plantId, expiresAt });
  });
  return { code, expiresAt: expiresAt.toISOString() };
}

/** Registers an edge's public key in exchange for a code; the code is consumed in the same transaction. */
export async function enrollEdge(db: Database, request: EnrollRequest): Promise<EnrollResponse> {
  const publicKey = await ed25519PublicKey(request.publicKey);
  return withAppRole(db, async (tx) => {
    const target = await consumeEnrollmentCode(tx, hashCode(request.code));
    if (!target) throw new ProblemError(403, 'Forbidden', 'enrollment code is unknown, used or expired');
    await setTenant(tx, target);
    const edgeId = uuidv7();
    await insertEdge(tx, { id: edgeId, ...target, name: request.name, publicKey });
    return { edgeId, ...target };
  });
}

async function ed25519PublicKey(jwk: EnrollRequest['publicKey']): Promise<JWK> {
  const invalid = (message: string) =>
    new ProblemError(422, 'Unprocessable Content', message, { errors: [{ path: 'publicKey', message }] });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw invalid('publicKey must be an Ed25519 public JWK (kty OKP, crv Ed25519)');
  }
  if ('d' in jwk) throw invalid('publicKey must not contain the private key');
  const publicKey: JWK = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
  try {
    await importJWK(publicKey, 'EdDSA');
  } catch {
    throw invalid('publicKey is not a valid Ed25519 key');
  }
  return publicKey;
}
