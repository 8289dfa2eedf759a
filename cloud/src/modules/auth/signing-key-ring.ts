import type { JWK } from 'jose';
import type { Database } from '../../db/client.ts';
import { loadSigningKeys, rotateSigningKeys, type SigningKey } from './signing-keys.repository.ts';

/** Must outlast the longest access token signed just before a rotation; a day leaves ample margin. */
export const DEFAULT_KEY_ROLLOVER_MS = 24 * 60 * 60 * 1000;

export interface SigningKeyRing {
  /** The newest unretired key: it signs new tokens. */
  current(): Promise<SigningKey>;
  /** The key with this id if it verifies tokens now (unretired or inside the rollover window). */
  find(kid: string): Promise<SigningKey | undefined>;
  /** The public half of every key that verifies tokens now. */
  publicJwks(): Promise<JWK[]>;
  /** Signs with a new key from now on; the old one keeps verifying for the rollover window. */
  rotate(): Promise<{ kid: string }>;
}

export interface SigningKeyRingOptions {
  rolloverMs?: number;
  /** How long a process trusts its copy of the keys; another process may have rotated meanwhile. */
  refreshIntervalMs?: number;
  /** At most one reload per this interval for tokens naming a kid we have not seen. */
  unknownKidReloadMs?: number;
  now?: () => number;
}

/** Loads the valid keys (making the first one on a fresh database) and keeps them current. */
export async function createSigningKeyRing(
  db: Database,
  {
    rolloverMs = DEFAULT_KEY_ROLLOVER_MS,
    refreshIntervalMs = 60_000,
    unknownKidReloadMs = 5_000,
    now = Date.now,
  }: SigningKeyRingOptions = {},
): Promise<SigningKeyRing> {
  let keys: SigningKey[] = [];
  let loadedAtMs = 0;
  let unknownKidReloadedAtMs = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;

  const reload = () => {
    loading ??= (async () => {
      try {
        const startedMs = now();
        keys = await loadSigningKeys(db, { rolloverMs });
        loadedAtMs = startedMs;
      } finally {
        loading = undefined;
      }
    })();
    return loading;
  };
  const fresh = async () => {
    if (now() - loadedAtMs > refreshIntervalMs) await reload();
  };
  const verifies = (key: SigningKey) =>
    key.retiredAt === null || key.retiredAt.getTime() + rolloverMs > now();

  await reload();
  return {
    current: async () => {
      await fresh();
      let signer = keys.find((key) => key.retiredAt === null);
      if (!signer) {
        await reload();
        signer = keys.find((key) => key.retiredAt === null);
      }
      if (!signer) throw new Error('no active signing key');
      return signer;
    },
    find: async (kid) => {
      await fresh();
      let key = keys.find((candidate) => candidate.kid === kid);
      if (!key && now() - unknownKidReloadedAtMs > unknownKidReloadMs) {
        unknownKidReloadedAtMs = now();
        await reload();
        key = keys.find((candidate) => candidate.kid === kid);
      }
      return key && verifies(key) ? key : undefined;
    },
    publicJwks: async () => {
      await fresh();
      return keys.filter(verifies).map((key) => key.publicJwk);
    },
    rotate: async () => {
      const kid = await rotateSigningKeys(db);
      await loading;
      await reload();
      return { kid };
    },
  };
}
