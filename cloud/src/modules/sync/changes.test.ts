import { randomUUID } from 'node:crypto';
import { type Change, type ChangeEntity, ChangesPage, REPLICA_ROWS } from '@unison/contracts';
import { createTestDatabase, databaseBackends } from '@unison/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtInRoleId,
  call,
  createModeledOrg,
  createPlanningObjects,
  enrollEdge,
  ok,
  signAssertion,
  type TestEdge,
} from '../../../test/helpers.ts';
import { type Database, openDatabase } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { type Cloud, createCloud } from '../../index.ts';

const NO_TENANT = '';

for (const backend of databaseBackends()) {
  describe(`change feed [${backend.kind}]`, () => {
    let cloud: Cloud;
    let databaseUrl: string | undefined;
    let drop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      if (backend.kind === 'postgres') {
        const database = await createTestDatabase(backend.serverUrl);
        databaseUrl = database.url;
        drop = database.drop;
      }
      cloud = await createCloud({ databaseUrl, log: false });
    });
    afterAll(async () => {
      await cloud?.close();
      await drop?.();
    });

    /** One feed request; every page is checked against the contract, every row against its shape. */
    const feed = async (edge: TestEdge, query: { cursor?: string; wait?: number; limit?: number } = {}) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query))
        if (value !== undefined) params.set(key, String(value));
      const response = await call(cloud, 'GET', `/api/v1/sync/changes?${params}`, {
        token: await signAssertion(edge),
      });
      if (response.status !== 200) {
        throw new Error(`feed answered ${response.status}: ${JSON.stringify(response.body)}`);
      }
      const page = ChangesPage.parse(response.body);
      if (page.kind !== 'refetch') {
        for (const change of page.changes) {
          if (change.op === 'upsert') REPLICA_ROWS[change.entity].parse(change.row);
        }
      }
      return page;
    };

    /** Every page of a snapshot; returns its changes and the change-log cursor it hands over to. */
    const snapshot = async (edge: TestEdge, limit?: number) => {
      const pages = [];
      let page = await feed(edge, { limit });
      pages.push(page);
      while (page.kind === 'snapshot' && page.more) {
        page = await feed(edge, { cursor: page.cursor, limit });
        pages.push(page);
      }
      const changes = pages.flatMap((p) => (p.kind === 'refetch' ? [] : p.changes));
      return { pages, changes, cursor: (pages.at(-1) as { cursor: string }).cursor };
    };

    const changesSince = async (edge: TestEdge, cursor: string) => {
      const page = await feed(edge, { cursor });
      if (page.kind !== 'changes') throw new Error(`expected changes, got ${page.kind}`);
      return page;
    };

    const ids = (changes: Change[], entity: ChangeEntity) =>
      changes.filter((change) => change.entity === entity).map((change) => change.id);

    const modeledOrgWithEdges = async () => {
      const org = await createModeledOrg(cloud);
      const first = await createPlanningObjects(cloud, org.token, org.first);
      const second = await createPlanningObjects(cloud, org.token, org.second);
      const edge1 = await enrollEdge(cloud, {
        organizationId: org.organizationId,
        plantId: org.first.plantId,
      });
      const edge2 = await enrollEdge(cloud, {
        organizationId: org.organizationId,
        plantId: org.second.plantId,
      });
      return { org, first, second, edge1, edge2 };
    };

    it("snapshots the edge's plant only: another plant's and another organization's edges get none of it", async () => {
      const a = await modeledOrgWithEdges();
      const b = await modeledOrgWithEdges();
      const { pages, changes } = await snapshot(a.edge1);
      expect(pages[0]).toMatchObject({ kind: 'snapshot', reset: true });
      expect(ids(changes, 'machine')).toEqual([a.org.first.machineId]);
      expect(ids(changes, 'machine_tag')).toEqual([a.first.tagId]);
      expect(ids(changes, 'work_order')).toEqual([a.first.workOrderId]);
      expect(ids(changes, 'label_template')).toEqual([a.first.templateId]);
      // Materials are organization-wide: every plant gets them.
      expect(ids(changes, 'material').sort()).toEqual([a.first.materialId, a.second.materialId].sort());
      expect(ids(changes, 'role')).toContain(a.org.roleId);
      expect(ids(changes, 'role')).toContain(await builtInRoleId(cloud, a.org.token, 'viewer'));
      // The supervisor may sign in at plant 1, not at plant 2.
      expect(ids(changes, 'user')).toContain(a.org.supervisor.id);
      expect(ids(changes, 'signing_key').length).toBeGreaterThan(0);
      const work = changes.find((change) => change.id === a.first.workOrderId);
      expect(work).toMatchObject({
        op: 'upsert',
        row: {
          materialId: a.first.materialId,
          machineId: a.org.first.machineId,
          quantity: 100,
          status: 'planned',
        },
      });

      const plant2 = (await snapshot(a.edge2)).changes;
      expect(ids(plant2, 'machine')).toEqual([a.org.second.machineId]);
      expect(ids(plant2, 'user')).not.toContain(a.org.supervisor.id);

      const text = JSON.stringify(changes);
      const ofB = [
        b.org.organizationId,
        b.org.first.machineId,
        b.org.second.machineId,
        b.org.roleId,
        b.org.supervisor.id,
        ...Object.values(b.first),
        ...Object.values(b.second),
      ];
      expect(ofB.filter((id) => text.includes(id))).toEqual([]);
      const plant2Only = [a.org.second.machineId, ...Object.values(a.second)].filter(
        (id) => id !== a.second.materialId,
      );
      expect(plant2Only.filter((id) => text.includes(id))).toEqual([]);
      const textOfB = JSON.stringify((await snapshot(b.edge1)).changes);
      const ofA = [a.org.first.machineId, a.org.roleId, a.org.supervisor.id, ...Object.values(a.first)];
      expect(ofA.filter((id) => textOfB.includes(id))).toEqual([]);
    });

    it('turns an update into an upsert of the current row and a delete into a tombstone, for its plant only', async () => {
      const a = await modeledOrgWithEdges();
      const start1 = (await snapshot(a.edge1)).cursor;
      const start2 = (await snapshot(a.edge2)).cursor;
      await ok(cloud, 'PATCH', `/api/v1/work-orders/${a.first.workOrderId}`, a.org.token, {
        status: 'released',
        quantity: 250,
      });
      await ok(cloud, 'PATCH', `/api/v1/label-templates/${a.first.templateId}`, a.org.token, {
        zpl: '^XA^FD{{serial}} v2^FS^XZ',
      });
      await ok(cloud, 'DELETE', `/api/v1/machine-tags/${a.first.tagId}`, a.org.token);

      const page = await changesSince(a.edge1, start1);
      expect(page.more).toBe(false);
      expect(page.changes.map(({ op, entity, id }) => ({ op, entity, id }))).toEqual([
        { op: 'upsert', entity: 'work_order', id: a.first.workOrderId },
        { op: 'upsert', entity: 'label_template', id: a.first.templateId },
        { op: 'delete', entity: 'machine_tag', id: a.first.tagId },
      ]);
      expect(page.changes[0]).toMatchObject({ row: { status: 'released', quantity: 250 } });
      expect(page.changes[1]).toMatchObject({ row: { revision: 2, zpl: '^XA^FD{{serial}} v2^FS^XZ' } });
      expect(page.changes[2]).not.toHaveProperty('row');

      expect((await changesSince(a.edge2, start2)).changes).toEqual([]);
      const again = await changesSince(a.edge1, page.cursor);
      expect(again.changes).toEqual([]);
      expect(again.cursor).toBe(page.cursor);
    });

    it('pages snapshots and changes with more=true, the pages adding up to the whole', async () => {
      const a = await modeledOrgWithEdges();
      const whole = await snapshot(a.edge1);
      const paged = await snapshot(a.edge1, 3);
      expect(paged.pages.length).toBeGreaterThan(3);
      expect(paged.pages.map((page) => (page as { reset: boolean }).reset)).toEqual(
        paged.pages.map((_, index) => index === 0),
      );
      expect(paged.pages.slice(0, -1).every((page) => (page as { more: boolean }).more)).toBe(true);
      for (const page of paged.pages)
        expect((page as { changes: Change[] }).changes.length).toBeLessThanOrEqual(3);
      expect(paged.changes).toEqual(whole.changes);

      for (let index = 0; index < 5; index++) {
        await ok(cloud, 'POST', '/api/v1/materials', a.org.token, {
          code: `paged-${index}`,
          name: 'M',
          unit: 'kg',
        });
      }
      const first = await feed(a.edge1, { cursor: whole.cursor, limit: 2 });
      expect(first).toMatchObject({ kind: 'changes', more: true });
      const seen = [];
      let page = first;
      for (;;) {
        if (page.kind !== 'changes') throw new Error('expected changes');
        seen.push(...page.changes);
        if (!page.more) break;
        page = await feed(a.edge1, { cursor: page.cursor, limit: 2 });
      }
      expect(seen.map((change) => rowOf<{ code: string }>(change).code)).toEqual(
        [0, 1, 2, 3, 4].map((index) => `paged-${index}`),
      );
    });

    it('numbers changes with strictly increasing versions', async () => {
      const a = await modeledOrgWithEdges();
      const start = (await snapshot(a.edge1)).cursor;
      for (let index = 0; index < 4; index++) {
        await ok(cloud, 'PATCH', `/api/v1/work-orders/${a.first.workOrderId}`, a.org.token, {
          quantity: 10 + index,
        });
        await ok(cloud, 'POST', '/api/v1/materials', a.org.token, {
          code: `v-${index}`,
          name: 'M',
          unit: 'kg',
        });
      }
      const { changes } = await changesSince(a.edge1, start);
      const versions = changes.map((change) => change.version);
      expect(versions).toEqual([...versions].sort((x, y) => x - y));
      expect(new Set(versions).size).toBe(versions.length);
      // The work order changed four times and is sent once, as it is now.
      expect(changes.filter((change) => change.entity === 'work_order')).toEqual([
        expect.objectContaining({ op: 'upsert', row: expect.objectContaining({ quantity: 13 }) }),
      ]);
    });

    it.skipIf(backend.kind !== 'postgres')(
      'gives the transaction that commits second the higher version, and shows neither before the first commits',
      async () => {
        const a = await modeledOrgWithEdges();
        const start = (await snapshot(a.edge1)).cursor;
        const db: Database = await openDatabase({ databaseUrl });
        try {
          const tenant = { organizationId: a.org.organizationId };
          const insertMaterial = (code: string, gate?: Promise<void>) =>
            withTenant(db, tenant, async (tx) => {
              await tx.query(
                `insert into materials (id, org_id, code, name, unit) values (gen_random_uuid(), $1, $2, 'M', 'kg')`,
                [a.org.organizationId, code],
              );
              await gate;
            });
          let release!: () => void;
          const gate = new Promise<void>((resolve) => {
            release = resolve;
          });
          const firstWriter = insertMaterial('first-writer', gate);
          await new Promise((resolve) => setTimeout(resolve, 200));
          let secondDone = false;
          const secondWriter = insertMaterial('second-writer').then(() => {
            secondDone = true;
          });
          await new Promise((resolve) => setTimeout(resolve, 500));
          expect(secondDone, 'the second writer waits for the first one’s version to commit').toBe(false);
          expect((await changesSince(a.edge1, start)).changes).toEqual([]);
          release();
          await Promise.all([firstWriter, secondWriter]);
          const { changes } = await changesSince(a.edge1, start);
          const codes = changes.map((change) => rowOf<{ code: string }>(change).code);
          expect(codes).toEqual(['first-writer', 'second-writer']);
          expect(changes[0]!.version).toBeLessThan(changes[1]!.version);
        } finally {
          await db.close();
        }
      },
    );

    it('holds a long-poll until a change commits, and answers empty when the wait ends without one', async () => {
      const a = await modeledOrgWithEdges();
      const start = (await snapshot(a.edge1)).cursor;

      const idleStartMs = performance.now();
      const idle = await feed(a.edge1, { cursor: start, wait: 1 });
      const idleMs = performance.now() - idleStartMs;
      expect(idle).toMatchObject({ kind: 'changes', changes: [], cursor: start, more: false });
      expect(idleMs).toBeGreaterThanOrEqual(950);
      expect(idleMs).toBeLessThan(6_000);

      const heldStartMs = performance.now();
      const held = feed(a.edge1, { cursor: start, wait: 20 });
      await new Promise((resolve) => setTimeout(resolve, 700));
      await ok(cloud, 'PATCH', `/api/v1/work-orders/${a.first.workOrderId}`, a.org.token, {
        status: 'running',
      });
      const committedMs = performance.now();
      const page = await held;
      const answeredMs = performance.now();
      expect(committedMs - heldStartMs).toBeGreaterThan(600);
      expect(answeredMs - committedMs, 'answered soon after the commit').toBeLessThan(2_000);
      expect(page).toMatchObject({
        kind: 'changes',
        changes: [expect.objectContaining({ entity: 'work_order', id: a.first.workOrderId })],
      });
    });

    it('answers refetch once retention removed changes a cursor still needs', async () => {
      const a = await modeledOrgWithEdges();
      const start = (await snapshot(a.edge1)).cursor;
      await ok(cloud, 'PATCH', `/api/v1/work-orders/${a.first.workOrderId}`, a.org.token, { quantity: 7 });
      const caughtUp = (await changesSince(a.edge1, start)).cursor;
      await ok(cloud, 'PATCH', `/api/v1/work-orders/${a.first.workOrderId}`, a.org.token, { quantity: 8 });

      const [kept] = await cloud.queryAsTenant(
        NO_TENANT,
        `select change_log_prune(interval '1 hour') as removed`,
      );
      expect(kept?.removed).toBe(0);
      expect((await changesSince(a.edge1, start)).changes.length).toBe(1);

      const [pruned] = await cloud.queryAsTenant(
        NO_TENANT,
        `select change_log_prune(interval '0 seconds') as removed`,
      );
      expect(pruned?.removed).toBeGreaterThan(0);
      expect(await feed(a.edge1, { cursor: start })).toMatchObject({ kind: 'refetch' });
      expect(await feed(a.edge1, { cursor: caughtUp })).toMatchObject({ kind: 'refetch' });
      const fresh = await snapshot(a.edge1);
      expect(fresh.pages[0]).toMatchObject({ kind: 'snapshot', reset: true });
      expect(fresh.changes.find((change) => change.id === a.first.workOrderId)).toMatchObject({
        row: { quantity: 8 },
      });
      const after = await changesSince(a.edge1, fresh.cursor);
      expect(after.changes).toEqual([]);
      // Versions go on past what retention removed.
      await ok(cloud, 'PATCH', `/api/v1/work-orders/${a.first.workOrderId}`, a.org.token, { quantity: 9 });
      const next = await changesSince(a.edge1, after.cursor);
      expect(next.changes).toEqual([
        expect.objectContaining({ entity: 'work_order', row: expect.objectContaining({ quantity: 9 }) }),
      ]);
      expect(next.changes[0]!.version).toBeGreaterThan(
        Math.max(...fresh.changes.map((change) => change.version)),
      );
    });

    it('sends users with their password hash, roles and plants; a user losing the plant becomes a tombstone', async () => {
      const a = await modeledOrgWithEdges();
      const start1 = (await snapshot(a.edge1)).cursor;
      const start2 = (await snapshot(a.edge2)).cursor;
      const operatorRole = await builtInRoleId(cloud, a.org.token, 'operator');
      const user = await ok(cloud, 'POST', '/api/v1/users', a.org.token, {
        email: `operator-${randomUUID()}@example.com`,
        roleIds: [operatorRole, a.org.roleId],
        plantAccess: [a.org.first.plantId],
      });
      const [change] = (await changesSince(a.edge1, start1)).changes;
      expect(change).toMatchObject({
        op: 'upsert',
        entity: 'user',
        id: user.id,
        row: {
          email: user.email,
          active: true,
          plantIds: [a.org.first.plantId],
          passwordHash: expect.stringMatching(/^\$argon2id\$/),
        },
      });
      expect(rowOf<{ roleIds: string[] }>(change).roleIds.sort()).toEqual(
        [operatorRole, a.org.roleId].sort(),
      );
      expect(
        (await changesSince(a.edge2, start2)).changes.filter((c) => c.op === 'upsert' && c.id === user.id),
      ).toEqual([]);

      const moved = await changesSince(a.edge1, (await changesSince(a.edge1, start1)).cursor);
      expect(moved.changes).toEqual([]);
      await ok(cloud, 'PATCH', `/api/v1/users/${user.id}`, a.org.token, {
        plantAccess: [a.org.second.plantId],
      });
      const lost = await changesSince(a.edge1, moved.cursor);
      expect(lost.changes.filter((c) => c.id === user.id).map((c) => c.op)).toEqual(['delete']);
      const gained = await changesSince(a.edge2, start2);
      expect(gained.changes.filter((c) => c.id === user.id).at(-1)).toMatchObject({
        op: 'upsert',
        row: { plantIds: [a.org.second.plantId] },
      });
    });

    it("sends the signing keys' public parts only, and a rotation as changes", async () => {
      const a = await modeledOrgWithEdges();
      const { changes, cursor } = await snapshot(a.edge1);
      const keys = changes.filter((change) => change.entity === 'signing_key');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const row = rowOf<{ jwk: Record<string, unknown> }>(key);
        expect(row.jwk).not.toHaveProperty('d');
        expect(row.jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String) });
      }
      const { kid } = await cloud.admin.rotateSigningKey();
      const rotated = (await changesSince(a.edge1, cursor)).changes;
      expect(rotated.find((change) => change.id === kid)).toMatchObject({
        op: 'upsert',
        entity: 'signing_key',
        row: { id: kid, retiredAt: null },
      });
      const retired = rotated.filter((change) => change.entity === 'signing_key' && change.id !== kid);
      expect(retired.length).toBeGreaterThan(0);
      for (const change of retired) expect(change).toMatchObject({ row: { retiredAt: expect.any(String) } });
      expect(JSON.stringify(rotated)).not.toMatch(/"d":/);
    });

    it('refuses a cursor it did not issue with 400, and a revoked edge with 401', async () => {
      const a = await modeledOrgWithEdges();
      for (const cursor of ['not-a-cursor', Buffer.from('{"k":"c","v":-1}').toString('base64url')]) {
        const response = await call(cloud, 'GET', `/api/v1/sync/changes?cursor=${cursor}`, {
          token: await signAssertion(a.edge1),
        });
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
      }
      const tooLong = await call(cloud, 'GET', '/api/v1/sync/changes?wait=31', {
        token: await signAssertion(a.edge1),
      });
      expect(tooLong.status).toBe(422);

      await ok(cloud, 'POST', `/api/v1/edges/${a.edge1.edgeId}/revoke`, a.org.token);
      const revoked = await call(cloud, 'GET', '/api/v1/sync/changes', {
        token: await signAssertion(a.edge1),
      });
      expect(revoked.status).toBe(401);
      const anonymous = await call(cloud, 'GET', '/api/v1/sync/changes');
      expect(anonymous.status).toBe(401);
    });
  });
}

/** The row an upsert carries; anything else fails the test. */
function rowOf<Row>(change: Change | undefined): Row {
  if (change?.op !== 'upsert') throw new Error(`expected an upsert, got ${JSON.stringify(change)}`);
  return change.row as Row;
}
