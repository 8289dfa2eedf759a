import { expect, it } from 'vitest';
import {
  batchOf,
  call,
  countRows,
  createOrgWithToken,
  describeEachBackend,
  enrollEdge,
  makeRecords,
  SAMPLES,
  upload,
} from '../../../test/helpers.ts';

describeEachBackend('edges: list, revoke, expired assertion ids', (cloud) => {
  // Runs first: the purge happens on the first assertion a fresh cloud checks.
  it("purges every tenant's expired assertion ids and keeps live ones", async () => {
    const orgA = await createOrgWithToken(cloud());
    const orgB = await createOrgWithToken(cloud());
    const edgeA = await enrollEdge(cloud(), orgA);
    const edgeB = await enrollEdge(cloud(), orgB);
    const insert = (edge: typeof edgeA, jti: string, expiresAt: string) =>
      cloud().queryAsTenant(
        edge.organizationId,
        'insert into edge_assertion_jtis (edge_id, jti, org_id, expires_at) values ($1, $2, $3, $4)',
        [edge.edgeId, jti, edge.organizationId, expiresAt],
      );
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 600_000).toISOString();
    await insert(edgeA, 'old-a', past);
    await insert(edgeB, 'old-b', past);
    await insert(edgeB, 'live-b', future);

    expect((await upload(cloud(), edgeA, batchOf(edgeA.edgeId, makeRecords(1, 1)))).status).toBe(200);
    const jtis = async (organizationId: string) =>
      (await cloud().queryAsTenant(organizationId, 'select jti from edge_assertion_jtis order by jti')).map(
        (row) => row.jti,
      );
    expect(await jtis(orgA.organizationId)).toHaveLength(1);
    expect(await jtis(orgA.organizationId)).not.toContain('old-a');
    expect(await jtis(orgB.organizationId)).toEqual(['live-b']);
  });

  it("lists the organization's edges and no one else's, with filters and pages", async () => {
    const org = await createOrgWithToken(cloud());
    const other = await createOrgWithToken(cloud());
    const edges = [
      await enrollEdge(cloud(), org),
      await enrollEdge(cloud(), org),
      await enrollEdge(cloud(), org),
    ];
    await enrollEdge(cloud(), other);

    const all = await call(cloud(), 'GET', '/api/v1/edges', { token: org.token });
    expect(all.status).toBe(200);
    expect(all.body.items.map((edge: { id: string }) => edge.id)).toEqual(
      edges.map((edge) => edge.edgeId).sort(),
    );
    expect(all.body.items[0]).toMatchObject({ plantId: org.plantId, name: 'line edge', revokedAt: null });
    expect(all.body.nextCursor).toBeNull();

    const first = await call(cloud(), 'GET', '/api/v1/edges?limit=2', { token: org.token });
    expect(first.body.items).toHaveLength(2);
    const rest = await call(cloud(), 'GET', `/api/v1/edges?limit=2&cursor=${first.body.nextCursor}`, {
      token: org.token,
    });
    expect(rest.body.items).toHaveLength(1);
    expect([...first.body.items, ...rest.body.items]).toEqual(all.body.items);
    expect(rest.body.nextCursor).toBeNull();

    const elsewhere = await call(cloud(), 'GET', `/api/v1/edges?plantId=${other.plantId}`, {
      token: org.token,
    });
    expect(elsewhere.body.items).toEqual([]);
    expect((await call(cloud(), 'GET', '/api/v1/edges?cursor=bogus', { token: org.token })).status).toBe(422);
    expect((await call(cloud(), 'GET', '/api/v1/edges?limit=0', { token: org.token })).status).toBe(422);
    expect(
      (await call(cloud(), 'GET', "/api/v1/edges?plantId=' or 1=1 --", { token: org.token })).status,
    ).toBe(422);
  });

  it('revokes an edge: its next request is refused, revoking again changes nothing', async () => {
    const org = await createOrgWithToken(cloud());
    const edge = await enrollEdge(cloud(), org);
    expect((await upload(cloud(), edge, batchOf(edge.edgeId, makeRecords(1, 1)))).status).toBe(200);

    const revoked = await call(cloud(), 'POST', `/api/v1/edges/${edge.edgeId}/revoke`, { token: org.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: edge.edgeId, plantId: org.plantId });
    expect(Date.parse(revoked.body.revokedAt)).toBeGreaterThan(Date.now() - 60_000);

    const samples = await countRows(cloud(), org.organizationId, SAMPLES);
    const refused = await upload(cloud(), edge, batchOf(edge.edgeId, makeRecords(2, 2)));
    expect(refused.status).toBe(401);
    expect(await countRows(cloud(), org.organizationId, SAMPLES)).toBe(samples);

    const again = await call(cloud(), 'POST', `/api/v1/edges/${edge.edgeId}/revoke`, { token: org.token });
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    const listed = await call(cloud(), 'GET', '/api/v1/edges?revoked=true', { token: org.token });
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([edge.edgeId]);
    const active = await call(cloud(), 'GET', '/api/v1/edges?revoked=false', { token: org.token });
    expect(active.body.items).toEqual([]);
  });

  it("answers 404 for another organization's edge and leaves it working", async () => {
    const owner = await createOrgWithToken(cloud());
    const intruder = await createOrgWithToken(cloud());
    const edge = await enrollEdge(cloud(), owner);
    const attempt = await call(cloud(), 'POST', `/api/v1/edges/${edge.edgeId}/revoke`, {
      token: intruder.token,
    });
    expect(attempt.status).toBe(404);
    expect(attempt.headers.get('content-type')).toBe('application/problem+json');
    const [row] = await cloud().queryAsTenant(
      owner.organizationId,
      'select revoked_at from edges where id = $1',
      [edge.edgeId],
    );
    expect(row?.revoked_at).toBeNull();
    expect((await upload(cloud(), edge, batchOf(edge.edgeId, makeRecords(1, 1)))).status).toBe(200);
  });

  it('refuses ids that are not uuids and requires a user token', async () => {
    const org = await createOrgWithToken(cloud());
    const edge = await enrollEdge(cloud(), org);
    expect(
      (await call(cloud(), 'POST', '/api/v1/edges/not-a-uuid/revoke', { token: org.token })).status,
    ).toBe(422);
    expect((await call(cloud(), 'POST', `/api/v1/edges/${edge.edgeId}/revoke`)).status).toBe(401);
    expect((await call(cloud(), 'GET', '/api/v1/edges')).status).toBe(401);
  });
});
