import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { uuidv7 } from 'uuidv7';
import type { Database } from '../../db/client.ts';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const SIGNING_KEY_LOCK = 0x756e6b6579;

/**
 * The current token-signing key, made on first start. Runs as the connecting owner: the app role
 * has no grant on signing_keys.
 */
export async function loadOrCreateSigningKey(db: Database): Promise<SigningKey> {
  const row = await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [SIGNING_KEY_LOCK]);
    const [current] = await tx.query<{ kid: string; private_jwk: JWK; public_jwk: JWK }>(
      'select kid, private_jwk, public_jwk from signing_keys where retired_at is null order by created_at desc limit 1',
    );
    if (current) return current;
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = uuidv7();
    const created = {
      kid,
      private_jwk: await exportJWK(privateKey),
      public_jwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' },
    };
    await tx.query('insert into signing_keys (kid, private_jwk, public_jwk) values ($1, $2, $3)', [
      created.kid,
      JSON.stringify(created.private_jwk),
      JSON.stringify(created.public_jwk),
    ]);
    return created;
  });
  const privateKey = (await importJWK(row.private_jwk, 'EdDSA')) as CryptoKey;
  return { kid: row.kid, privateKey, publicJwk: row.public_jwk };
}
