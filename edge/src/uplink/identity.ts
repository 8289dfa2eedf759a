import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { z } from 'zod';

const Jwk = z.looseObject({ kty: z.string(), crv: z.string().optional(), x: z.string().optional() });

export const EdgeIdentity = z.object({
  edgeId: z.uuid(),
  organizationId: z.uuid(),
  plantId: z.uuid(),
  cloudUrl: z.string(),
  privateKey: Jwk.extend({ d: z.string() }),
  publicKey: Jwk,
});
export type EdgeIdentity = z.infer<typeof EdgeIdentity>;

export const identityFile = (dataDir: string) => join(dataDir, 'identity.json');

/** The key pair made for an enrollment whose answer has not arrived yet. */
export const EdgeKeyPair = EdgeIdentity.pick({ privateKey: true, publicKey: true });
export type EdgeKeyPair = z.infer<typeof EdgeKeyPair>;

export const pendingKeysFile = (identity: string) => `${identity.replace(/\.json$/, '')}.pending.json`;

/** The saved identity, or undefined before enrollment; a corrupt file is a bug to fix by hand, so it throws. */
export function readIdentity(file: string): EdgeIdentity | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = EdgeIdentity.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: not a valid edge identity: ${parsed.error.message}`);
  return parsed.data;
}

/** Written to a temporary file first, so a crash never leaves half an identity behind. */
export function writeIdentity(file: string, identity: EdgeIdentity): void {
  writePrivateJson(file, identity);
  rmSync(pendingKeysFile(file), { force: true });
}

/**
 * The key pair of a pending enrollment, made and saved before the first request: when the answer is
 * lost (connection cut, power cut) the edge asks again with the same key and the cloud recognises it.
 */
export async function pendingKeyPair(identity: string): Promise<EdgeKeyPair> {
  const file = pendingKeysFile(identity);
  if (existsSync(file)) {
    const parsed = EdgeKeyPair.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file}: not a valid edge key pair: ${parsed.error.message}`);
    return parsed.data;
  }
  const keys = EdgeKeyPair.parse(await makeKeyPair());
  writePrivateJson(file, keys);
  return keys;
}

export async function makeKeyPair(): Promise<{ privateKey: JWK; publicKey: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { privateKey: await exportJWK(privateKey), publicKey: await exportJWK(publicKey) };
}

/** Owner-only, complete or absent, and on disk before it returns (a power cut keeps it). */
function writePrivateJson(file: string, value: unknown): void {
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeFileSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  const directory = openSync(dirname(file), 'r');
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}
