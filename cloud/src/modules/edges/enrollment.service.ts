import { createHash, randomBytes } from 'node:crypto';
import type { EnrollRequest, EnrollResponse } from '@unison/contracts';
import { importJWK, type JWK } from 'jose';
import { uuidv7 } from 'uuidv7';
import type { Database } from '../../db/client.ts';
import { setTenant, type TenantContext, withAppRole, withTenant } from '../../db/tenant.ts';
import { notFound, ProblemError } from '../../http/problem.ts';
import { insertEdge, insertEnrollmentCode, plantVisible, redeemEnrollmentCode } from './edges.repository.ts';

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

/**
 * Registers an edge's public key in exchange for a code; the code is used up in the same transaction.
 * Asking again with the same code and the same key answers the same edge (the first answer may have
 * been lost on the way), so an edge never strands itself by retrying; any other key is refused.
 */
export async function enrollEdge(db: Database, request: EnrollRequest): Promise<EnrollResponse> {
  const publicKey = await ed25519PublicKey(request.publicKey);
  return withAppRole(db, async (tx) => {
    const redeemed = await redeemEnrollmentCode(tx, {
      codeHash: hashCode(request.code),
      edgeId: uuidv7(),
      publicKey,
    });
    if (!redeemed) throw new ProblemError(403, 'Forbidden', 'enrollment code is unknown, used or expired');
    const { edgeId, organizationId, plantId, replayed } = redeemed;
    if (!replayed) {
      await setTenant(tx, { organizationId, plantId });
      await insertEdge(tx, { id: edgeId, organizationId, plantId, name: request.name, publicKey });
    }
    return { edgeId, organizationId, plantId };
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
