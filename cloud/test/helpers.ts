import { randomUUID } from 'node:crypto';
import {
  EDGE_ASSERTION_AUDIENCE,
  type EnrollResponse,
  type UploadBatch,
  type UploadRecord,
} from '@unison/contracts';
import { createTestDatabase, databaseBackends } from '@unison/testkit';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe } from 'vitest';
import { type Cloud, createCloud } from '../src/index.ts';

/** Runs the suite once per database backend, each on a fresh database with its own cloud. */
export function describeEachBackend(title: string, suite: (cloud: () => Cloud) => void): void {
  for (const backend of databaseBackends()) {
    describe(`${title} [${backend.kind}]`, () => {
      let cloud: Cloud | undefined;
      let drop: (() => Promise<void>) | undefined;
      beforeAll(async () => {
        if (backend.kind === 'postgres') {
          const database = await createTestDatabase(backend.serverUrl);
          drop = database.drop;
          cloud = await createCloud({ databaseUrl: database.url, log: false });
        } else {
          cloud = await createCloud({ log: false });
        }
      });
      afterAll(async () => {
        await cloud?.close();
        await drop?.();
      });
      suite(() => cloud!);
    });
  }
}

export async function call(
  cloud: Cloud,
  method: string,
  path: string,
  { body, token, rawBody }: { body?: unknown; token?: string; rawBody?: string } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect response bodies loosely
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (body !== undefined || rawBody !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await cloud.app.request(path, {
    method,
    headers,
    body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

let orgCounter = 0;

export async function createOrgWithToken(cloud: Cloud, name = `org-${++orgCounter}`) {
  const created = await cloud.admin.createOrganization({
    name,
    plant: { code: 'main', name: `${name} main plant` },
    admin: { email: `admin-${randomUUID()}@${name}.example` },
  });
  const login = await call(cloud, 'POST', '/api/v1/auth/login', {
    body: { email: created.admin.email, password: created.admin.password },
  });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return { ...created, token: login.body.accessToken as string };
}

export interface TestEdge extends EnrollResponse {
  privateKey: CryptoKey;
}

export async function newEdgeKey() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

export async function enrollEdge(
  cloud: Cloud,
  org: { organizationId: string; plantId: string },
): Promise<TestEdge> {
  const { code } = await cloud.admin.createEnrollmentCode(org);
  const { privateKey, publicJwk } = await newEdgeKey();
  const enrolled = await call(cloud, 'POST', '/api/v1/edges/enroll', {
    body: { code, name: 'line edge', publicKey: publicJwk },
  });
  if (enrolled.status !== 201) throw new Error(`enroll failed: ${JSON.stringify(enrolled.body)}`);
  return { ...enrolled.body, privateKey };
}

export interface AssertionOptions {
  audience?: string;
  lifetimeSeconds?: number;
  issuedAtOffsetSeconds?: number;
  jti?: string;
  signingKey?: CryptoKey;
}

export function signAssertion(
  edge: TestEdge,
  {
    audience = EDGE_ASSERTION_AUDIENCE,
    lifetimeSeconds = 60,
    issuedAtOffsetSeconds = 0,
    jti = randomUUID(),
    signingKey = edge.privateKey,
  }: AssertionOptions = {},
): Promise<string> {
  const issuedAt = Math.floor(Date.now() / 1000) + issuedAtOffsetSeconds;
  return new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', kid: edge.edgeId })
    .setIssuer(edge.edgeId)
    .setSubject(edge.edgeId)
    .setAudience(audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetimeSeconds)
    .setJti(jti)
    .sign(signingKey);
}

export async function upload(cloud: Cloud, edge: TestEdge, batch: unknown, assertion?: AssertionOptions) {
  return call(cloud, 'POST', '/api/v1/sync/upload', {
    body: batch,
    token: await signAssertion(edge, assertion),
  });
}

const BASE_MS = Date.parse('2025-03-01T08:00:00.000Z');

/** Records seq `from`..`to` of one machine, a second apart, cycling through every value type. */
export function makeRecords(from: number, to: number, machine = 'press-1'): UploadRecord[] {
  const values = [21.5, 'RUNNING', true, null];
  return Array.from({ length: to - from + 1 }, (_, index) => {
    const seq = from + index;
    return {
      seq,
      id: uuidv7(),
      machine,
      tag: ['temperature', 'state', 'door', 'fault'][seq % 4]!,
      ts: new Date(BASE_MS + seq * 1000).toISOString(),
      value: values[seq % 4]!,
      quality: seq % 4 === 3 ? 'bad' : 'good',
    };
  });
}

export function batchOf(epoch: string, records: UploadRecord[]): UploadBatch {
  return { stream: 'samples', epoch, records };
}

export async function countRows(cloud: Cloud, organizationId: string, table: string): Promise<number> {
  const [row] = await cloud.queryAsTenant(organizationId, `select count(*)::int as count from ${table}`);
  return Number(row?.count);
}
