import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type Cloud, createCloud } from '@unison/cloud';
import type { ChangeEntity, LoginResponse } from '@unison/contracts';
import { type Edge, startEdge } from '@unison/edge';
import { createTestDatabase, databaseBackends, freePort, tempDir, waitFor } from '@unison/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeDatabase, openEdgeDatabase } from '../edge/src/store/sqlite.ts';
import { faultEdgeConfig } from './faults/fault.harness.ts';
import { cloudRetry } from './faults/load.generator.ts';

/** How long a change may take to reach the replica on a busy machine; long-poll makes it well under a second when idle. */
const LIVE_MS = 15_000;

type Row = Record<string, unknown> & { id: string };

describe.each(databaseBackends())('the downlink keeps the edge in step with the cloud ($kind)', (backend) => {
  const dir = tempDir('unison-e2e-downlink-');
  const dataDir = join(dir.path, 'edge');
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  let cloudPort: number;
  let cloudUrl: string;
  let cloud: Cloud | undefined;
  let edge: Edge | undefined;
  let edgeConfig: ReturnType<typeof faultEdgeConfig>;
  let edgeDb: EdgeDatabase | undefined;

  // Organization A with plants P1 (the edge's) and P2; organization B is a bystander.
  let orgA: Awaited<ReturnType<Cloud['admin']['createOrganization']>>;
  let orgB: Awaited<ReturnType<Cloud['admin']['createOrganization']>>;
  let p2: string;
  let tokenA: string;
  let tokenB: string;
  const roleIds: Record<string, string> = {};
  /** What the edge must never receive: P2's plant rows and anything of organization B. */
  const foreign: { entity: ChangeEntity; id: string }[] = [];
  const seeded: Record<string, Row> = {};
  const passwords: Record<string, string> = {};

  /** A cloud on the same port and database every time, so the edge's config stays valid. */
  async function startCloud() {
    cloud = await createCloud({
      databaseUrl,
      dataDir: databaseUrl ? undefined : join(dir.path, 'cloud-db'),
      log: false,
    });
    await cloud.listen({ port: cloudPort, host: '127.0.0.1' });
  }

  async function stopCloud() {
    await cloud?.close();
    cloud = undefined;
  }

  async function api<T = Row>(token: string, method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${cloudUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async function cloudLogin(email: string, password: string): Promise<string> {
    const response = await fetch(`${cloudUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as LoginResponse).accessToken;
  }

  async function edgeLogin(email: string, password: string) {
    const response = await fetch(`${edge!.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const body = (await response.json()) as { accessToken?: string };
    return { status: response.status, token: body.accessToken };
  }

  /**
   * A print-job action as the token's holder: 404 (no such job) means the edge let the user in with
   * the permission it needs; 401 and 403 are the edge refusing.
   */
  async function edgeActionStatus(token: string): Promise<number> {
    const response = await fetch(`${edge!.url}/api/print-jobs/${randomUUID()}/reprint`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    return response.status;
  }

  /** The edge's replica as its SQLite file has it, read on a connection of our own. */
  function replica(entity: ChangeEntity): Map<string, Row> {
    const rows = edgeDb!.sqlite
      .prepare('SELECT id, row FROM replica WHERE entity = ? ORDER BY id')
      .all(entity) as { id: string; row: string }[];
    return new Map(rows.map((r) => [r.id, JSON.parse(r.row) as Row]));
  }

  function downlinkState() {
    return edgeDb!.sqlite.prepare('SELECT * FROM downlink_state').get() as {
      cursor: string | null;
      version: number;
      snapshot_active: number;
      snapshot_started_ms: number | null;
      snapshot_completed_ms: number | null;
    };
  }

  /** Waits until the replica row of `id` satisfies `check` (undefined: the row is gone). */
  function replicaRow(
    entity: ChangeEntity,
    id: string,
    check: (row: Row | undefined) => boolean,
    what: string,
  ) {
    return waitFor(
      () => {
        const row = replica(entity).get(id);
        return check(row) ? (row ?? null) : undefined;
      },
      { timeoutMs: LIVE_MS, intervalMs: 50, what: `${what} in the edge's replica` },
    );
  }

  /** Ids of each entity that P1's edge should hold, read from the cloud's database. */
  async function expectedForP1(): Promise<Record<ChangeEntity, string[]>> {
    const ids = async (sql: string, params: unknown[] = []) =>
      (await cloud!.queryAsTenant(orgA.organizationId, `${sql} order by 1`, params)).map((r) => String(r.id));
    const plant = [orgA.plantId];
    const jwks = (await (await fetch(`${cloudUrl}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    return {
      machine: await ids('select id from machines where plant_id = $1', plant),
      machine_tag: await ids('select id from machine_tags where plant_id = $1', plant),
      material: await ids('select id from materials'),
      work_order: await ids('select id from work_orders where plant_id = $1', plant),
      label_template: await ids('select id from label_templates where plant_id = $1', plant),
      role: await ids('select id from roles'),
      user: await ids(
        `select id from users u where u.all_plants
           or exists (select 1 from user_plant_access a where a.user_id = u.id and a.plant_id = $1)`,
        plant,
      ),
      signing_key: jwks.keys.map((key) => key.kid).sort(),
    };
  }

  /** The replica holds exactly what the cloud has for P1, and nothing foreign. */
  async function expectConsistent() {
    const expected = await expectedForP1();
    await waitFor(
      () => {
        for (const [entity, ids] of Object.entries(expected)) {
          const held = [...replica(entity as ChangeEntity).keys()].sort();
          if (JSON.stringify(held) !== JSON.stringify([...ids].sort())) return undefined;
        }
        return true;
      },
      { timeoutMs: LIVE_MS, intervalMs: 100, what: 'the replica to equal what the cloud has for P1' },
    ).catch((error: Error) => {
      const held = Object.fromEntries(
        Object.keys(expected).map((e) => [e, [...replica(e as ChangeEntity).keys()].sort()]),
      );
      expect(held).toEqual(expected);
      throw error;
    });
    for (const { entity, id } of foreign)
      expect({ entity, id, held: replica(entity).has(id) }).toEqual({ entity, id, held: false });
  }

  async function seed(token: string, path: string, body: unknown, name: string, foreignAs?: ChangeEntity) {
    const row = await api<Row & { password?: string }>(token, 'POST', path, body);
    seeded[name] = row;
    if (row.password) passwords[name] = row.password;
    if (foreignAs) foreign.push({ entity: foreignAs, id: row.id });
    return row;
  }

  beforeAll(async () => {
    if (backend.kind === 'postgres') {
      const database = await createTestDatabase(backend.serverUrl);
      databaseUrl = database.url;
      dropDatabase = database.drop;
    }
    cloudPort = await freePort();
    cloudUrl = `http://127.0.0.1:${cloudPort}`;
    await startCloud();
    const suffix = randomUUID().slice(0, 8);
    orgA = await cloud!.admin.createOrganization({
      name: `Downlink A ${suffix}`,
      plant: { code: 'p1', name: 'Plant 1' },
      admin: { email: `admin-${suffix}@a.example` },
    });
    orgB = await cloud!.admin.createOrganization({
      name: `Downlink B ${suffix}`,
      plant: { code: 'p1', name: 'Bystander plant' },
      admin: { email: `admin-${suffix}@b.example` },
    });
    tokenA = await cloudLogin(orgA.admin.email, orgA.admin.password);
    tokenB = await cloudLogin(orgB.admin.email, orgB.admin.password);
    p2 = (await api(tokenA, 'POST', '/api/v1/plants', { code: 'p2', name: 'Plant 2' })).id;
    for (const key of ['plant_supervisor', 'operator']) {
      roleIds[key] = (await api<{ items: Row[] }>(tokenA, 'GET', `/api/v1/roles?key=${key}`)).items[0]!.id;
    }

    // Organization A: the same things in P1 (for the edge) and in P2 (never for it).
    const material = await seed(
      tokenA,
      '/api/v1/materials',
      { code: 'steel', name: 'Steel', unit: 'kg' },
      'material',
    );
    await seed(
      tokenA,
      '/api/v1/roles',
      { key: 'line_lead', name: 'Line lead', permissions: ['labels:write'] },
      'role',
    );
    for (const [plant, plantId] of [
      ['p1', orgA.plantId],
      ['p2', p2],
    ] as const) {
      const foreignAs = (entity: ChangeEntity) => (plant === 'p2' ? entity : undefined);
      const machine = await seed(
        tokenA,
        '/api/v1/machines',
        { plantId, code: `m-${plant}`, name: `Machine ${plant}` },
        `machine-${plant}`,
        foreignAs('machine'),
      );
      await seed(
        tokenA,
        '/api/v1/machine-tags',
        { machineId: machine.id, tag: 'speed', unit: 'rpm', low: 0, high: 100 },
        `tag-${plant}`,
        foreignAs('machine_tag'),
      );
      await seed(
        tokenA,
        '/api/v1/work-orders',
        { plantId, number: `WO-${plant}`, materialId: material.id, machineId: machine.id, quantity: 10 },
        `wo-${plant}`,
        foreignAs('work_order'),
      );
      await seed(
        tokenA,
        '/api/v1/label-templates',
        { plantId, code: `lbl-${plant}`, name: `Label ${plant}`, zpl: '^XA^FD{{lot}}^FS^XZ' },
        `label-${plant}`,
        foreignAs('label_template'),
      );
    }
    // A work order to delete while the edge is away.
    await seed(
      tokenA,
      '/api/v1/work-orders',
      { plantId: orgA.plantId, number: 'WO-gone', materialId: material.id, quantity: 1 },
      'wo-gone',
    );
    const user = (name: string, roleKey: string, plantAccess: 'all' | string[], foreignAs?: ChangeEntity) =>
      seed(
        tokenA,
        '/api/v1/users',
        { email: `${name}-${suffix}@a.example`, roleIds: [roleIds[roleKey]], plantAccess },
        name,
        foreignAs,
      );
    await user('supervisor', 'plant_supervisor', [orgA.plantId]);
    await user('operator', 'operator', 'all');
    await user('quitter', 'operator', [orgA.plantId]);
    await user('leaver', 'operator', [orgA.plantId]);
    await user('p2-only', 'plant_supervisor', [p2], 'user');

    // Organization B: one of everything, none of it for the edge.
    const materialB = await seed(
      tokenB,
      '/api/v1/materials',
      { code: 'steel', name: 'Steel', unit: 'kg' },
      'b-material',
      'material',
    );
    await seed(
      tokenB,
      '/api/v1/roles',
      { key: 'line_lead', name: 'Line lead', permissions: ['labels:write'] },
      'b-role',
      'role',
    );
    const machineB = await seed(
      tokenB,
      '/api/v1/machines',
      { plantId: orgB.plantId, code: 'm-p1', name: 'Machine B' },
      'b-machine',
      'machine',
    );
    await seed(
      tokenB,
      '/api/v1/machine-tags',
      { machineId: machineB.id, tag: 'speed' },
      'b-tag',
      'machine_tag',
    );
    await seed(
      tokenB,
      '/api/v1/work-orders',
      { plantId: orgB.plantId, number: 'WO-p1', materialId: materialB.id, quantity: 5 },
      'b-wo',
      'work_order',
    );
    await seed(
      tokenB,
      '/api/v1/label-templates',
      { plantId: orgB.plantId, code: 'lbl-p1', name: 'Label B', zpl: '^XA^XZ' },
      'b-label',
      'label_template',
    );
    await seed(
      tokenB,
      '/api/v1/users',
      { email: `user-${suffix}@b.example`, roleIds: [], plantAccess: 'all' },
      'b-user',
      'user',
    );
    const [adminB] = await cloud!.queryAsTenant(orgB.organizationId, 'select id from users');
    foreign.push({ entity: 'user', id: String(adminB!.id) });

    const { code } = await cloud!.admin.createEnrollmentCode({
      organizationId: orgA.organizationId,
      plantId: orgA.plantId,
    });
    edgeConfig = faultEdgeConfig({ dataDir, cloudUrl, enrollmentCode: code });
    edge = await startEdge(edgeConfig, { cloudRetry });
    edgeDb = openEdgeDatabase(join(dataDir, 'edge.db'));
  }, 120_000);

  afterAll(async () => {
    edgeDb?.close();
    await edge?.stop();
    await stopCloud();
    await dropDatabase?.();
    dir.remove();
  }, 30_000);

  it("snapshots P1's rows of organization A into the replica, and nothing of P2 or of organization B", async () => {
    await waitFor(
      () => {
        const state = downlinkState();
        return state.snapshot_completed_ms !== null && state.snapshot_active === 0 ? state : undefined;
      },
      { timeoutMs: 30_000, what: 'the first snapshot to complete' },
    );
    await expectConsistent();
    const held: [string, ChangeEntity][] = [
      ['machine-p1', 'machine'],
      ['tag-p1', 'machine_tag'],
      ['wo-p1', 'work_order'],
      ['label-p1', 'label_template'],
      ['material', 'material'],
      ['role', 'role'],
      ['supervisor', 'user'],
      ['operator', 'user'],
    ];
    for (const [name, entity] of held) {
      expect({ name, held: replica(entity).has(seeded[name]!.id) }).toEqual({ name, held: true });
    }
    expect(replica('work_order').get(seeded['wo-p1']!.id)).toMatchObject({
      number: 'WO-p1',
      quantity: 10,
      status: 'planned',
    });
    const supervisor = replica('user').get(seeded.supervisor!.id)!;
    expect(supervisor).toMatchObject({
      active: true,
      roleIds: [roleIds.plant_supervisor],
      plantIds: [orgA.plantId],
    });
    expect(String(supervisor.passwordHash)).toMatch(/^\$argon2id\$/);
    expect(replica('user').get(seeded.operator!.id)).toMatchObject({ plantIds: '*' });
    expect(replica('role').get(seeded.role!.id)).toMatchObject({
      key: 'line_lead',
      permissions: ['labels:write'],
    });
    expect(replica('signing_key').size).toBeGreaterThan(0);
    for (const key of replica('signing_key').values()) expect(key.jwk).not.toHaveProperty('d');
    expect(edge!.status().downlink).toMatchObject({ state: 'ok', snapshot: { active: false } });
  }, 60_000);

  it('carries live changes made through the admin API to the replica, deletes as tombstones', async () => {
    const material = seeded.material!.id;
    const machine = seeded['machine-p1']!.id;

    // A row of P2 written first must still not come along with P1's.
    const otherPlant = await api(tokenA, 'POST', '/api/v1/work-orders', {
      plantId: p2,
      number: 'WO-live-p2',
      materialId: material,
      quantity: 2,
    });
    foreign.push({ entity: 'work_order', id: otherPlant.id });
    const order = await api(tokenA, 'POST', '/api/v1/work-orders', {
      plantId: orgA.plantId,
      number: 'WO-live',
      materialId: material,
      machineId: machine,
      quantity: 3,
    });
    await replicaRow('work_order', order.id, (row) => row?.number === 'WO-live', 'the new work order');
    expect(replica('work_order').has(otherPlant.id)).toBe(false);
    await api(tokenA, 'PATCH', `/api/v1/work-orders/${order.id}`, {
      number: 'WO-live-renamed',
      status: 'released',
    });
    await replicaRow(
      'work_order',
      order.id,
      (row) => row?.number === 'WO-live-renamed' && row.status === 'released',
      'the renamed work order',
    );
    await api(tokenA, 'DELETE', `/api/v1/work-orders/${order.id}`);
    await replicaRow('work_order', order.id, (row) => row === undefined, 'the deleted work order gone');

    const label = await api(tokenA, 'POST', '/api/v1/label-templates', {
      plantId: orgA.plantId,
      code: 'lbl-live',
      name: 'Live label',
      zpl: '^XA^FD{{order}}^FS^XZ',
    });
    await replicaRow(
      'label_template',
      label.id,
      (row) => row?.name === 'Live label',
      'the new label template',
    );
    await api(tokenA, 'PATCH', `/api/v1/label-templates/${label.id}`, {
      name: 'Live label, renamed',
      zpl: '^XA^FD{{order}} {{lot}}^FS^XZ',
    });
    const renamed = await replicaRow(
      'label_template',
      label.id,
      (row) => row?.name === 'Live label, renamed',
      'the renamed label template',
    );
    expect(renamed).toMatchObject({ zpl: '^XA^FD{{order}} {{lot}}^FS^XZ' });
    await api(tokenA, 'DELETE', `/api/v1/label-templates/${label.id}`);
    await replicaRow(
      'label_template',
      label.id,
      (row) => row === undefined,
      'the deleted label template gone',
    );

    const tag = await api(tokenA, 'POST', '/api/v1/machine-tags', {
      machineId: machine,
      tag: 'temperature',
      unit: 'degC',
    });
    await replicaRow('machine_tag', tag.id, (row) => row?.tag === 'temperature', 'the new machine tag');
    await api(tokenA, 'PATCH', `/api/v1/machine-tags/${tag.id}`, { tag: 'oil_temperature', high: 80 });
    await replicaRow(
      'machine_tag',
      tag.id,
      (row) => row?.tag === 'oil_temperature' && row.high === 80,
      'the renamed machine tag',
    );
    await api(tokenA, 'DELETE', `/api/v1/machine-tags/${tag.id}`);
    await replicaRow('machine_tag', tag.id, (row) => row === undefined, 'the deleted machine tag gone');

    await api(tokenA, 'DELETE', `/api/v1/users/${seeded.quitter!.id}`);
    await replicaRow('user', seeded.quitter!.id, (row) => row?.active === false, 'the deactivated user');

    const operator = seeded.operator!;
    const before = await edgeLogin(String(operator.email), passwords.operator!);
    expect(before.status).toBe(200);
    expect(await edgeActionStatus(before.token!)).toBe(403);
    await api(tokenA, 'PATCH', `/api/v1/users/${operator.id}`, { roleIds: [roleIds.plant_supervisor] });
    await replicaRow(
      'user',
      operator.id,
      (row) => JSON.stringify(row?.roleIds) === JSON.stringify([roleIds.plant_supervisor]),
      "the operator's new role",
    );
    // The same LAN token now carries the new role's permissions: they are read from the replica on each request.
    expect(await edgeActionStatus(before.token!)).toBe(404);

    // A user given access to P1 arrives; taken off it again, the edge gets a tombstone.
    const p2Only = seeded['p2-only']!;
    await api(tokenA, 'PATCH', `/api/v1/users/${p2Only.id}`, { plantAccess: [p2, orgA.plantId] });
    await replicaRow('user', p2Only.id, (row) => row !== undefined, 'the user given access to P1');
    await api(tokenA, 'PATCH', `/api/v1/users/${p2Only.id}`, { plantAccess: [p2] });
    await replicaRow('user', p2Only.id, (row) => row === undefined, 'the user taken off P1 gone');

    await expectConsistent();
  }, 120_000);

  it('holds the request of an idle edge, and answers it when something changes (long-poll)', async () => {
    const answered = async () => {
      const text = await (await fetch(`${cloudUrl}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith('http_requests_total{method="GET",route="/api/v1/sync/changes",status="200"}'),
        );
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const before = await answered();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    // Polling once a second would have answered about four; a held request answers none.
    expect((await answered()) - before).toBeLessThanOrEqual(1);

    const startedMs = Date.now();
    const order = await api(tokenA, 'POST', '/api/v1/work-orders', {
      plantId: orgA.plantId,
      number: 'WO-held',
      materialId: seeded.material!.id,
      quantity: 1,
    });
    await replicaRow('work_order', order.id, (row) => row !== undefined, 'the work order that ends the wait');
    const latencyMs = Date.now() - startedMs;
    expect(latencyMs).toBeLessThan(LIVE_MS);
  }, 60_000);

  it('signs users in on the LAN from the replica while the cloud is stopped', async () => {
    const supervisor = seeded.supervisor as Row & { email: string };
    const leaver = seeded.leaver as Row & { email: string };
    const supervisorCloudToken = await cloudLogin(supervisor.email, passwords.supervisor!);
    const leaverCloudToken = await cloudLogin(leaver.email, passwords.leaver!);
    const leaverLan = await edgeLogin(leaver.email, passwords.leaver!);
    expect(leaverLan.status).toBe(200);
    await api(tokenA, 'DELETE', `/api/v1/users/${leaver.id}`);
    await replicaRow('user', leaver.id, (row) => row?.active === false, 'the deactivated leaver');

    await stopCloud();
    await waitFor(() => (edge!.status().downlink?.state === 'unreachable' ? true : undefined), {
      timeoutMs: LIVE_MS,
      what: 'the edge to notice the cloud is gone',
    });

    const lan = await edgeLogin(supervisor.email, passwords.supervisor!);
    expect(lan.status).toBe(200);
    expect(await edgeActionStatus(lan.token!)).toBe(404);
    expect(await edgeActionStatus(supervisorCloudToken)).toBe(404);
    expect((await edgeLogin(supervisor.email, 'not the password')).status).toBe(401);

    expect((await edgeLogin(leaver.email, passwords.leaver!)).status).toBe(401);
    expect(await edgeActionStatus(leaverCloudToken)).toBe(401);
    expect(await edgeActionStatus(leaverLan.token!)).toBe(401);
    const p2Only = seeded['p2-only'] as Row & { email: string };
    expect((await edgeLogin(p2Only.email, passwords['p2-only']!)).status).toBe(401);
  }, 60_000);

  it('starts over with a snapshot when the cloud pruned its change log past the cursor', async () => {
    await edge!.stop();
    edge = undefined;
    const before = downlinkState();
    expect(before.cursor).not.toBeNull();
    await startCloud();
    tokenA = await cloudLogin(orgA.admin.email, orgA.admin.password);
    const gone = seeded['wo-gone']!.id;
    await api(tokenA, 'DELETE', `/api/v1/work-orders/${gone}`);
    const added = await api(tokenA, 'POST', '/api/v1/work-orders', {
      plantId: orgA.plantId,
      number: 'WO-while-away',
      materialId: seeded.material!.id,
      quantity: 4,
    });
    // SECURITY DEFINER: runs as the function's owner whoever calls it; drops every change logged so far.
    const [pruned] = await cloud!.queryAsTenant(
      orgA.organizationId,
      "select change_log_prune(interval '0 seconds') as removed",
    );
    expect(Number(pruned!.removed)).toBeGreaterThan(0);

    edge = await startEdge(edgeConfig, { cloudRetry });
    const after = await waitFor(
      () => {
        const state = downlinkState();
        const restarted = (state.snapshot_started_ms ?? 0) > (before.snapshot_started_ms ?? 0);
        return restarted && state.snapshot_active === 0 ? state : undefined;
      },
      { timeoutMs: 30_000, what: 'a new snapshot, completed' },
    );
    expect(after.snapshot_completed_ms).toBeGreaterThanOrEqual(after.snapshot_started_ms!);
    expect(replica('work_order').has(gone)).toBe(false);
    expect(replica('work_order').get(added.id)).toMatchObject({ number: 'WO-while-away' });
    await expectConsistent();
  }, 90_000);

  it('continues from its stored cursor after a restart, without a new snapshot', async () => {
    await waitFor(() => (edge!.status().downlink?.state === 'ok' ? true : undefined), {
      what: 'the downlink ok',
    });
    const snapshotStartedAt = edge!.status().downlink!.snapshot.startedAt;
    const before = downlinkState();
    await edge!.stop();
    edge = undefined;

    const label = await api(tokenA, 'POST', '/api/v1/label-templates', {
      plantId: orgA.plantId,
      code: 'lbl-restart',
      name: 'After restart',
      zpl: '^XA^XZ',
    });
    edge = await startEdge(edgeConfig, { cloudRetry });
    await replicaRow(
      'label_template',
      label.id,
      (row) => row?.name === 'After restart',
      'the label made while the edge was down',
    );
    const after = downlinkState();
    expect(after.snapshot_started_ms).toBe(before.snapshot_started_ms);
    expect(after.snapshot_active).toBe(0);
    expect(after.version).toBeGreaterThan(before.version);
    expect(edge!.status().downlink?.snapshot.startedAt).toBe(snapshotStartedAt);
    await expectConsistent();
  }, 60_000);

  it("follows the feed with its clock an hour ahead: it signs with the cloud's time", async () => {
    const skewedDir = join(dir.path, 'edge-skewed');
    const { code } = await cloud!.admin.createEnrollmentCode({
      organizationId: orgA.organizationId,
      plantId: orgA.plantId,
    });
    const skewed = await startEdge(faultEdgeConfig({ dataDir: skewedDir, cloudUrl, enrollmentCode: code }), {
      cloudRetry,
      now: () => Date.now() + 60 * 60 * 1000,
    });
    const skewedDb = openEdgeDatabase(join(skewedDir, 'edge.db'));
    try {
      const label = await api(tokenA, 'POST', '/api/v1/label-templates', {
        plantId: orgA.plantId,
        code: 'lbl-skew',
        name: 'Skewed',
        zpl: '^XA^XZ',
      });
      const held = await waitFor(
        () => {
          const found = skewedDb.sqlite
            .prepare("SELECT row FROM replica WHERE entity = 'label_template' AND id = ?")
            .get(label.id) as { row: string } | undefined;
          return found ? (JSON.parse(found.row) as Row) : undefined;
        },
        { timeoutMs: 30_000, what: "the label in the skewed edge's replica" },
      );
      expect(held).toMatchObject({ name: 'Skewed' });
      expect(skewed.status().downlink?.state).toBe('ok');
      expect(skewed.status().cloud.clockSkewAlarm).toBe(true);
    } finally {
      skewedDb.close();
      await skewed.stop();
    }
  }, 60_000);
});
