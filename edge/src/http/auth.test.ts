import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import type { Change } from '@unison/contracts';
import { tempDir } from '@unison/testkit';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicaReads } from '../downlink/replica.reads.ts';
import { createReplicaRepository, type ReplicaRepository } from '../downlink/replica.repository.ts';
import type { EdgeStatus } from '../status.ts';
import { type EdgeDatabase, openEdgeDatabase } from '../store/sqlite.ts';
import { type EdgeIdentity, makeKeyPair } from '../uplink/identity.ts';
import { createHttpApp } from './app.ts';
import { createLanAuth } from './auth.service.ts';

const status: EdgeStatus = {
  edge: { name: 'edge-1', plant: 'p1', epoch: '0190a0a0-0000-7000-8000-000000000000' },
  samples: { recorded: 0, uploaded: 0, backlog: 0 },
  cloud: { status: 'ok' },
  connectors: [],
};
const PASSWORD = 'correct horse battery staple';
const dir = tempDir('unison-lan-auth-');
const plantId = randomUUID();
const organizationId = randomUUID();
const ids = {
  supervisorRole: randomUUID(),
  viewerRole: randomUUID(),
  supervisor: randomUUID(),
  viewer: randomUUID(),
  inactive: randomUUID(),
  elsewhere: randomUUID(),
};
let database: EdgeDatabase;
let replica: ReplicaRepository;
let identity: EdgeIdentity;
let app: ReturnType<typeof createHttpApp>;
let version = 0;
let cloudKey: { privateKey: CryptoKey; kid: string };

const upsert = (entity: Change['entity'], row: { id: string } & Record<string, unknown>): Change => ({
  op: 'upsert',
  version: ++version,
  entity,
  id: row.id,
  row,
});
const apply = (changes: Change[], reset = false) =>
  replica.applyPage(
    reset
      ? { kind: 'snapshot', reset, changes, cursor: `c${version}`, more: false, skipped: [] }
      : { kind: 'changes', changes, cursor: `c${version}`, more: false, skipped: [] },
    Date.now(),
  );
const user = (id: string, email: string, passwordHash: string, overrides: Record<string, unknown> = {}) =>
  upsert('user', {
    id,
    email,
    passwordHash,
    active: true,
    roleIds: [ids.supervisorRole],
    plantIds: [plantId],
    ...overrides,
  });

beforeAll(async () => {
  database = openEdgeDatabase(join(dir.path, 'edge.db'));
  replica = createReplicaRepository(database.sqlite);
  const keys = await makeKeyPair();
  identity = {
    edgeId: randomUUID(),
    organizationId,
    plantId,
    cloudUrl: 'unused',
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  } as EdgeIdentity;
  const cloudPair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  cloudKey = { privateKey: cloudPair.privateKey, kid: 'cloud-key-1' };
  const passwordHash = await hash(PASSWORD, { algorithm: 2 });
  apply(
    [
      upsert('role', {
        id: ids.supervisorRole,
        key: 'plant_supervisor',
        name: 'Supervisor',
        permissions: ['labels:write'],
      }),
      upsert('role', {
        id: ids.viewerRole,
        key: 'viewer',
        name: 'Viewer',
        permissions: ['labels:read', 'machines:write'],
      }),
      user(ids.supervisor, 'Sam.Supervisor@plant.example', passwordHash),
      user(ids.viewer, 'vic@plant.example', passwordHash, { roleIds: [ids.viewerRole], plantIds: '*' }),
      user(ids.inactive, 'gone@plant.example', passwordHash, { active: false }),
      user(ids.elsewhere, 'far@plant.example', passwordHash, { plantIds: [randomUUID()] }),
      upsert('signing_key', { id: cloudKey.kid, jwk: await exportJWK(cloudPair.publicKey), retiredAt: null }),
    ],
    true,
  );
  app = createHttpApp({
    status: () => status,
    auth: createLanAuth({ reads: replicaReads(database.sqlite), identity: () => identity }),
  });
});

afterAll(() => {
  database?.close();
  dir.remove();
});

const login = (email: string, password: string) =>
  app.request('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
const tokenOf = async (email: string) => {
  const response = await login(email, PASSWORD);
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
};
const reprint = (token?: string) =>
  app.request('/api/print-jobs/job-1/reprint', {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
const cloudToken = (
  claims: { sub: string; org: string },
  { kid = cloudKey.kid, key = cloudKey.privateKey } = {},
) =>
  new SignJWT({ org: claims.org })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .setIssuer('unison-cloud')
    .setAudience('unison-api')
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime('15m')
    .sign(key);

describe('LAN sign-in from the replica', () => {
  it('signs in with the replicated password, whatever the case of the email', async () => {
    const response = await login('sam.supervisor@PLANT.example', PASSWORD);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { id: ids.supervisor, permissions: ['labels:write'] },
    });
    expect(String(body.accessToken).split('.')).toHaveLength(3);
  });

  it('refuses a wrong password, an unknown account, an inactive user and a user of another plant', async () => {
    const wrong = await login('vic@plant.example', 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect((await login('nobody@plant.example', PASSWORD)).status).toBe(401);
    expect((await login('gone@plant.example', PASSWORD)).status).toBe(401);
    expect((await login('far@plant.example', PASSWORD)).status).toBe(403);
    expect((await login('not an email', PASSWORD)).status).toBe(400);
  });

  it('stops guessing after five failures on one account, even with the right password', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await login('far@plant.example', `guess ${attempt}`)).status).toBe(401);
    }
    const throttled = await login('far@plant.example', PASSWORD);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts are not held up.
    expect((await login('vic@plant.example', PASSWORD)).status).toBe(200);
  });

  it('guards print-job changes: 401 without a token, 403 without the permission', async () => {
    expect((await reprint()).status).toBe(401);
    expect((await reprint('not-a-token')).status).toBe(401);
    const denied = await reprint(await tokenOf('vic@plant.example'));
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { detail: string }).detail).toContain('labels:write');
    // Through the guard: the job itself does not exist here.
    expect((await reprint(await tokenOf('sam.supervisor@plant.example'))).status).toBe(404);
    expect((await app.request('/api/print-jobs')).status).toBe(200);
  });

  it('accepts a cloud-issued token, verified offline with the replicated signing key', async () => {
    expect((await reprint(await cloudToken({ sub: ids.supervisor, org: organizationId }))).status).toBe(404);
    expect((await reprint(await cloudToken({ sub: ids.viewer, org: organizationId }))).status).toBe(403);
    // Another organization, an unknown key, a key that is not the replicated one: all refused.
    expect((await reprint(await cloudToken({ sub: ids.supervisor, org: randomUUID() }))).status).toBe(401);
    expect(
      (await reprint(await cloudToken({ sub: ids.supervisor, org: organizationId }, { kid: 'nope' }))).status,
    ).toBe(401);
    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await cloudToken(
      { sub: ids.supervisor, org: organizationId },
      { key: stranger.privateKey },
    );
    expect((await reprint(forged)).status).toBe(401);
  });

  it('stops honouring tokens when the replica deactivates the user or retires the key', async () => {
    const lanToken = await tokenOf('sam.supervisor@plant.example');
    const fromCloud = await cloudToken({ sub: ids.supervisor, org: organizationId });
    expect((await reprint(lanToken)).status).toBe(404);

    const retiredLongAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000).toISOString();
    const jwk = replicaReads(database.sqlite).get('signing_key', cloudKey.kid)!.jwk;
    apply([upsert('signing_key', { id: cloudKey.kid, jwk, retiredAt: retiredLongAgo })]);
    expect((await reprint(fromCloud)).status).toBe(401);

    const supervisor = replicaReads(database.sqlite).get('user', ids.supervisor)!;
    apply([upsert('user', { ...supervisor, active: false })]);
    expect((await reprint(lanToken)).status).toBe(401);
    expect((await login('sam.supervisor@plant.example', PASSWORD)).status).toBe(401);
  });

  it('lets nobody in before the edge is enrolled', async () => {
    const unenrolled = createHttpApp({
      status: () => status,
      auth: createLanAuth({ reads: replicaReads(database.sqlite), identity: () => undefined }),
    });
    const response = await unenrolled.request('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'vic@plant.example', password: PASSWORD }),
    });
    expect(response.status).toBe(503);
    expect(
      (await createHttpApp({ status: () => status }).request('/api/print-jobs/x/printed', { method: 'POST' }))
        .status,
    ).toBe(401);
  });
});
