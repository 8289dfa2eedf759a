import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** The saved identity, or undefined before enrollment; a corrupt file is a bug to fix by hand, so it throws. */
export function readIdentity(file: string): EdgeIdentity | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = EdgeIdentity.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: not a valid edge identity: ${parsed.error.message}`);
  return parsed.data;
}

/** Written to a temporary file first, so a crash never leaves half an identity behind. */
export function writeIdentity(file: string, identity: EdgeIdentity): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

export async function makeKeyPair(): Promise<{ privateKey: JWK; publicKey: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { privateKey: await exportJWK(privateKey), publicKey: await exportJWK(publicKey) };
}
