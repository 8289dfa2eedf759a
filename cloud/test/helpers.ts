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

/** Samples of the tenant's visible plants, as a FROM item: the app role reads them only through this function. */
export const SAMPLES = 'samples_read(null, null, null, null, null)';

export async function countRows(cloud: Cloud, organizationId: string, table: string): Promise<number> {
  const [row] = await cloud.queryAsTenant(organizationId, `select count(*)::int as count from ${table}`);
  return Number(row?.count);
}

/** Logs a user in and returns its access token. */
export async function loginAs(cloud: Cloud, email: string, password: string): Promise<string> {
  const login = await call(cloud, 'POST', '/api/v1/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return login.body.accessToken as string;
}

/** Calls that must succeed; the body of the answer. */
export async function ok(
  cloud: Cloud,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect response bodies loosely
): Promise<any> {
  const response = await call(cloud, method, path, { token, body });
  if (response.status >= 300) {
    throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

export async function builtInRoleId(cloud: Cloud, token: string, key: string): Promise<string> {
  const roles = await ok(cloud, 'GET', `/api/v1/roles?key=${key}`, token);
  return roles.items[0].id;
}

/**
 * An organization with two plants, each with an area, a line and a machine; a custom role; a user
 * confined to the first plant (plant supervisor); and a platform grant.
 */
export async function createModeledOrg(cloud: Cloud) {
  const org = await createOrgWithToken(cloud);
  const p1 = { id: org.plantId };
  const p2 = await ok(cloud, 'POST', '/api/v1/plants', org.token, { code: 'second', name: 'Second plant' });
  const plant = async (plantId: string, suffix: string) => {
    const area = await ok(cloud, 'POST', '/api/v1/areas', org.token, {
      plantId,
      code: `a-${suffix}`,
      name: 'Area',
    });
    const line = await ok(cloud, 'POST', '/api/v1/lines', org.token, {
      areaId: area.id,
      code: `l-${suffix}`,
      name: 'Line',
    });
    const machine = await ok(cloud, 'POST', '/api/v1/machines', org.token, {
      plantId,
      lineId: line.id,
      code: `m-${suffix}`,
      name: 'Machine',
    });
    return { plantId, areaId: area.id as string, lineId: line.id as string, machineId: machine.id as string };
  };
  const first = await plant(p1.id, '1');
  const second = await plant(p2.id, '2');
  const role = await ok(cloud, 'POST', '/api/v1/roles', org.token, {
    key: `custom-${randomUUID().slice(0, 8)}`,
    name: 'Custom',
    permissions: ['machines:read'],
  });
  const supervisorRole = await builtInRoleId(cloud, org.token, 'plant_supervisor');
  const supervisor = await ok(cloud, 'POST', '/api/v1/users', org.token, {
    email: `supervisor-${randomUUID()}@example.com`,
    name: 'Supervisor of plant 1',
    roleIds: [supervisorRole],
    plantAccess: [p1.id],
  });
  const supervisorToken = await loginAs(cloud, supervisor.email, supervisor.password);
  const operator = await cloud.admin.createPlatformAdmin({
    email: `operator-${randomUUID()}@platform.example`,
  });
  const grant = await ok(cloud, 'POST', '/api/v1/platform-grants', org.token, {
    platformAdminEmail: operator.email,
    roleId: await builtInRoleId(cloud, org.token, 'viewer'),
  });
  return {
    ...org,
    first,
    second,
    roleId: role.id as string,
    supervisor,
    supervisorToken,
    grantId: grant.id as string,
  };
}

/** A material, and in the given plant a machine tag, a work order and a label template. */
export async function createPlanningObjects(
  cloud: Cloud,
  token: string,
  plant: { plantId: string; machineId: string },
) {
  const suffix = randomUUID().slice(0, 8);
  const material = await ok(cloud, 'POST', '/api/v1/materials', token, {
    code: `mat-${suffix}`,
    name: 'Material',
    unit: 'pcs',
  });
  const tag = await ok(cloud, 'POST', '/api/v1/machine-tags', token, {
    machineId: plant.machineId,
    tag: `temperature-${suffix}`,
    unit: '°C',
    low: 10,
    high: 90,
  });
  const workOrder = await ok(cloud, 'POST', '/api/v1/work-orders', token, {
    plantId: plant.plantId,
    number: `WO-${suffix}`,
    materialId: material.id,
    machineId: plant.machineId,
    quantity: 100,
  });
  const template = await ok(cloud, 'POST', '/api/v1/label-templates', token, {
    plantId: plant.plantId,
    code: `label-${suffix}`,
    name: 'Label',
    zpl: '^XA^FD{{serial}}^FS^XZ',
  });
  return {
    materialId: material.id as string,
    tagId: tag.id as string,
    workOrderId: workOrder.id as string,
    templateId: template.id as string,
  };
}
