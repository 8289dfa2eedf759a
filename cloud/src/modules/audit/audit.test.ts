import { expect, it } from 'vitest';
import {
  batchOf,
  createModeledOrg,
  describeEachBackend,
  enrollEdge,
  makeRecords,
  ok,
  upload,
} from '../../../test/helpers.ts';

describeEachBackend('audit log', (cloud) => {
  it('records who changed what, with before and after, and never a password hash', async () => {
    const org = await createModeledOrg(cloud());
    const users = await ok(cloud(), 'GET', `/api/v1/audit?table=users&rowId=${org.supervisor.id}`, org.token);
    expect(users.items).toHaveLength(1);
    const [created] = users.items;
    expect(created).toMatchObject({ action: 'insert', table: 'users', before: null });
    expect(created.after).toMatchObject({ email: org.supervisor.email });
    expect(created.after).not.toHaveProperty('password_hash');
    expect(created.actor.type).toBe('user');

    const edge = await enrollEdge(cloud(), org);
    expect((await upload(cloud(), edge, batchOf(edge.edgeId, makeRecords(1, 4, 'new-press')))).status).toBe(
      200,
    );
    const machines = await ok(cloud(), 'GET', '/api/v1/audit?table=machines&action=insert', org.token);
    const byEdge = machines.items.find(
      (entry: { after: { code: string } }) => entry.after.code === 'new-press',
    );
    expect(byEdge.actor).toEqual({ type: 'edge', id: edge.edgeId });
    const samples = await ok(cloud(), 'GET', '/api/v1/audit?table=samples', org.token);
    expect(samples.items).toEqual([]);
  });

  it('pages newest first and filters by actor and time', async () => {
    const org = await createModeledOrg(cloud());
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3';
      const page = await ok(cloud(), 'GET', `/api/v1/audit${query}`, org.token);
      all.push(...page.items.map((entry: { id: string }) => entry.id));
      cursor = page.nextCursor;
    } while (cursor);
    const everything = await ok(cloud(), 'GET', '/api/v1/audit?limit=200', org.token);
    expect(all).toEqual(everything.items.map((entry: { id: string }) => entry.id));
    expect(new Set(all).size).toBe(all.length);
    const future = await ok(
      cloud(),
      'GET',
      `/api/v1/audit?from=${new Date(Date.now() + 60_000).toISOString()}`,
      org.token,
    );
    expect(future.items).toEqual([]);
    const supervisorActions = await ok(
      cloud(),
      'GET',
      `/api/v1/audit?actorId=${org.supervisor.id}`,
      org.token,
    );
    expect(supervisorActions.items).toEqual([]);
  });
});
