import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { uuidv7 } from 'uuidv7';
import type { Database, SqlSession } from '../../db/client.ts';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  activatedAt: Date;
  retiredAt: Date | null;
}

interface SigningKeyRow {
  kid: string;
  private_jwk: JWK;
  public_jwk: JWK;
  activated_at: Date | string;
  retired_at: Date | string | null;
}

const SIGNING_KEY_LOCK = 0x756e6b6579;

// These run as the connecting owner: the app role has no grant on signing_keys.

/** Every key still valid for verification: unretired, or retired less than `rolloverMs` ago. */
export async function loadSigningKeys(
  db: Database,
  { rolloverMs }: { rolloverMs: number },
): Promise<SigningKey[]> {
  const rows = await db.transaction(async (tx) => {
    const current = await selectValidKeys(tx, rolloverMs);
    if (current.some((row) => row.retired_at === null)) return current;
    await tx.query('select pg_advisory_xact_lock($1)', [SIGNING_KEY_LOCK]);
    const again = await selectValidKeys(tx, rolloverMs);
    if (again.some((row) => row.retired_at === null)) return again;
    await insertKey(tx);
    return selectValidKeys(tx, rolloverMs);
  });
  return Promise.all(rows.map(toSigningKey));
}

/** Makes a new signing key and retires every other one at the same instant; returns the new kid. */
export async function rotateSigningKeys(db: Database): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [SIGNING_KEY_LOCK]);
    const kid = await insertKey(tx);
    await tx.query('update signing_keys set retired_at = now() where retired_at is null and kid <> $1', [
      kid,
    ]);
    return kid;
  });
}

function selectValidKeys(tx: SqlSession, rolloverMs: number): Promise<SigningKeyRow[]> {
  return tx.query<SigningKeyRow>(
    `select kid, private_jwk, public_jwk, activated_at, retired_at from signing_keys
     where retired_at is null or retired_at > now() - make_interval(secs => $1::double precision / 1000)
     order by activated_at desc, kid desc`,
    [rolloverMs],
  );
}

async function insertKey(tx: SqlSession): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const kid = uuidv7();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  await tx.query('insert into signing_keys (kid, private_jwk, public_jwk) values ($1, $2, $3)', [
    kid,
    JSON.stringify(await exportJWK(privateKey)),
    JSON.stringify(publicJwk),
  ]);
  return kid;
}

async function toSigningKey(row: SigningKeyRow): Promise<SigningKey> {
  return {
    kid: row.kid,
    privateKey: (await importJWK(row.private_jwk, 'EdDSA')) as CryptoKey,
    publicKey: (await importJWK(row.public_jwk, 'EdDSA')) as CryptoKey,
    publicJwk: row.public_jwk,
    activatedAt: new Date(row.activated_at),
    retiredAt: row.retired_at === null ? null : new Date(row.retired_at),
  };
}
