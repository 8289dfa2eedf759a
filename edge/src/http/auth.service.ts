import { hash, verify } from '@node-rs/argon2';
import { USER_TOKEN_AUDIENCE, USER_TOKEN_ISSUER } from '@unison/contracts';
import { decodeJwt, importJWK, type JWK, type JWTHeaderParameters, jwtVerify, SignJWT } from 'jose';
import type { ReplicaReads, ReplicaUserRow } from '../downlink/replica.reads.ts';
import type { EdgeIdentity } from '../uplink/identity.ts';
import { type LoginThrottle, loginThrottle } from './auth.throttle.ts';

/** Audience of the tokens the edge issues for its own LAN UI; the cloud never accepts them. */
export const LAN_TOKEN_AUDIENCE = 'unison-edge-lan';
const LAN_TOKEN_ISSUER = 'unison-edge';

export interface Principal {
  userId: string;
  email: string;
  permissions: ReadonlySet<string>;
  /** Who signed the token: this edge (LAN sign-in) or the cloud. */
  issuer: 'edge' | 'cloud';
}

export type LoginOutcome =
  | { kind: 'ok'; accessToken: string; expiresIn: number; principal: Principal }
  | { kind: 'unauthorized' | 'forbidden' | 'unavailable'; detail: string }
  | { kind: 'throttled'; retryAfterSeconds: number };

export type Authentication =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403; detail: string };

export interface LanAuth {
  login(email: string, password: string): Promise<LoginOutcome>;
  /** A bearer token from this edge or from the cloud, checked against the replica as it is now. */
  authenticate(token: string | undefined): Promise<Authentication>;
}

/** Refuses everything: an edge without a replica has nobody to let in. */
export const noLanAuth: LanAuth = {
  login: async () => ({ kind: 'unavailable', detail: 'sign-in is not available on this edge' }),
  authenticate: async () => ({ ok: false, status: 401, detail: 'sign-in is not available on this edge' }),
};

export interface LanAuthOptions {
  reads: ReplicaReads;
  /** The edge's identity once enrolled: its plant, and the key it signs LAN tokens with. */
  identity: () => EdgeIdentity | undefined;
  ttlSeconds?: number;
  throttle?: LoginThrottle;
  /** How long the cloud's retired signing keys still verify; the cloud's default rollover. */
  keyRolloverMs?: number;
  now?: () => number;
}

/**
 * Sign-in on the plant LAN from the replicated users, roles and signing keys, so supervisors get
 * in while the cloud is unreachable.
 */
export function createLanAuth({
  reads,
  identity,
  ttlSeconds = 15 * 60,
  throttle = loginThrottle(),
  keyRolloverMs = 24 * 60 * 60 * 1000,
  now = Date.now,
}: LanAuthOptions): LanAuth {
  // Unknown emails still pay for one verification, so timing does not reveal which accounts exist.
  let decoyHash: Promise<string> | undefined;
  const decoy = () => {
    decoyHash ??= hash('decoy password, never matches', { algorithm: 2 });
    return decoyHash;
  };
  const importedKeys = new Map<string, Promise<CryptoKey | Uint8Array>>();
  const importOnce = (cacheKey: string, jwk: JWK, alg: string) => {
    let key = importedKeys.get(cacheKey);
    if (!key) {
      key = importJWK(jwk, alg);
      importedKeys.set(cacheKey, key);
    }
    return key;
  };

  const plantAccess = (user: ReplicaUserRow, plantId: string) =>
    user.plantIds === '*' || user.plantIds.includes(plantId);
  const principalOf = (user: ReplicaUserRow, issuer: Principal['issuer']): Principal => ({
    userId: user.id,
    email: user.email,
    permissions: reads.permissionsOf(user),
    issuer,
  });
  /** The user as the replica has them now: a deactivated account loses its tokens at once. */
  const admit = (userId: string, plantId: string, issuer: Principal['issuer']): Authentication => {
    const user = reads.get('user', userId);
    if (!user?.active) return { ok: false, status: 401, detail: 'the account is unknown or deactivated' };
    if (!plantAccess(user, plantId)) return { ok: false, status: 403, detail: 'no access to this plant' };
    return { ok: true, principal: principalOf(user, issuer) };
  };

  const cloudKey = async ({ kid, alg }: JWTHeaderParameters) => {
    const found = kid ? reads.get('signing_key', kid) : undefined;
    const verifies =
      found && (found.retiredAt === null || Date.parse(found.retiredAt) + keyRolloverMs > now());
    if (!found || !verifies || !alg) throw new Error('unknown or retired signing key');
    return importOnce(`cloud:${kid}:${JSON.stringify(found.jwk)}`, found.jwk as JWK, alg);
  };

  async function verifyToken(token: string, edge: EdgeIdentity) {
    const claims = decodeJwt(token);
    if (claims.iss === LAN_TOKEN_ISSUER) {
      const key = await importOnce(`edge:${edge.edgeId}`, edge.publicKey as JWK, 'EdDSA');
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['EdDSA'],
        issuer: LAN_TOKEN_ISSUER,
        audience: LAN_TOKEN_AUDIENCE,
        subject: claims.sub,
        requiredClaims: ['sub', 'exp', 'iat'],
        currentDate: new Date(now()),
      });
      if (payload.plant !== edge.plantId) throw new Error('token of another plant');
      return { userId: payload.sub!, issuer: 'edge' as const };
    }
    const { payload } = await jwtVerify(token, cloudKey, {
      algorithms: ['EdDSA', 'ES256'],
      issuer: USER_TOKEN_ISSUER,
      audience: USER_TOKEN_AUDIENCE,
      requiredClaims: ['sub', 'exp', 'iat'],
      currentDate: new Date(now()),
    });
    if (payload.org !== edge.organizationId) throw new Error('token of another organization');
    return { userId: payload.sub!, issuer: 'cloud' as const };
  }

  return {
    async login(email, password) {
      const edge = identity();
      if (!edge)
        return { kind: 'unavailable', detail: 'this edge is not enrolled yet: nobody can sign in on it' };
      const account = email.toLowerCase();
      const waitSeconds = throttle.waitSeconds(account);
      // A throttled attempt learns nothing: the password is not even looked at.
      if (waitSeconds > 0) return { kind: 'throttled', retryAfterSeconds: waitSeconds };
      const user = reads.userByEmail(account);
      const matches = await verify(user?.passwordHash ?? (await decoy()), password).catch(() => false);
      if (!user || !matches) {
        throttle.failed(account);
        return { kind: 'unauthorized', detail: 'wrong email or password' };
      }
      throttle.succeeded(account);
      const admitted = admit(user.id, edge.plantId, 'edge');
      if (!admitted.ok) {
        return { kind: admitted.status === 403 ? 'forbidden' : 'unauthorized', detail: admitted.detail };
      }
      const issuedAtS = Math.floor(now() / 1000);
      const key = await importOnce(`edge-private:${edge.edgeId}`, edge.privateKey as JWK, 'EdDSA');
      const accessToken = await new SignJWT({ plant: edge.plantId })
        .setProtectedHeader({ alg: 'EdDSA', kid: edge.edgeId, typ: 'JWT' })
        .setIssuer(LAN_TOKEN_ISSUER)
        .setAudience(LAN_TOKEN_AUDIENCE)
        .setSubject(user.id)
        .setIssuedAt(issuedAtS)
        .setExpirationTime(issuedAtS + ttlSeconds)
        .sign(key);
      return { kind: 'ok', accessToken, expiresIn: ttlSeconds, principal: admitted.principal };
    },

    async authenticate(token) {
      const edge = identity();
      if (!token)
        return { ok: false, status: 401, detail: 'a bearer token is required: sign in at /api/login' };
      if (!edge)
        return { ok: false, status: 401, detail: 'this edge is not enrolled yet: nobody can sign in on it' };
      let verified: Awaited<ReturnType<typeof verifyToken>>;
      try {
        verified = await verifyToken(token, edge);
      } catch {
        return { ok: false, status: 401, detail: 'the token is invalid or expired' };
      }
      return admit(verified.userId, edge.plantId, verified.issuer);
    },
  };
}
