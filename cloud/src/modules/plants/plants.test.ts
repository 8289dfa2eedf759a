import { expect, it } from 'vitest';
import { call, countRows, createOrgWithToken, describeEachBackend, ok } from '../../../test/helpers.ts';

describeEachBackend('plants', (cloud) => {
  it('creates, reads, renames and deletes a plant, each write audited', async () => {
    const org = await createOrgWithToken(cloud());
    const created = await call(cloud(), 'POST', '/api/v1/plants', {
      token: org.token,
      body: { code: 'south', name: 'South' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'south', name: 'South' });
    const id = created.body.id;
    expect(await ok(cloud(), 'GET', `/api/v1/plants/${id}`, org.token)).toEqual(created.body);
    const renamed = await ok(cloud(), 'PATCH', `/api/v1/plants/${id}`, org.token, { name: 'South works' });
    expect(renamed).toMatchObject({ code: 'south', name: 'South works' });
    expect((await call(cloud(), 'DELETE', `/api/v1/plants/${id}`, { token: org.token })).status).toBe(204);
    expect((await call(cloud(), 'GET', `/api/v1/plants/${id}`, { token: org.token })).status).toBe(404);
    const audit = await ok(cloud(), 'GET', `/api/v1/audit?table=plants&rowId=${id}`, org.token);
    expect(audit.items.map((entry: { action: string }) => entry.action)).toEqual([
      'delete',
      'update',
      'insert',
    ]);
    expect(audit.items[1]).toMatchObject({
      before: expect.objectContaining({ name: 'South' }),
      after: expect.objectContaining({ name: 'South works' }),
    });
  });

  it('pages by cursor and filters by code', async () => {
    const org = await createOrgWithToken(cloud());
    for (const code of ['p1', 'p2', 'p3', 'p4']) {
      await ok(cloud(), 'POST', '/api/v1/plants', org.token, { code, name: code });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await ok(cloud(), 'GET', `/api/v1/plants${query}`, org.token);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((plant: { code: string }) => plant.code));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['main', 'p1', 'p2', 'p3', 'p4']);
    const filtered = await ok(cloud(), 'GET', '/api/v1/plants?code=p3', org.token);
    expect(filtered.items.map((plant: { code: string }) => plant.code)).toEqual(['p3']);
    expect((await call(cloud(), 'GET', '/api/v1/plants?limit=201', { token: org.token })).status).toBe(422);
    expect((await call(cloud(), 'GET', '/api/v1/plants?cursor=bogus', { token: org.token })).status).toBe(
      422,
    );
  });

  it('answers a duplicate code with 409 and bad input with the right status, writing nothing', async () => {
    const org = await createOrgWithToken(cloud());
    const auditBefore = await countRows(cloud(), org.organizationId, 'audit_log');
    const post = (options: { body?: unknown; rawBody?: string }) =>
      call(cloud(), 'POST', '/api/v1/plants', { token: org.token, ...options });

    const duplicate = await post({ body: { code: 'main', name: 'Again' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get('content-type')).toBe('application/problem+json');
    expect(duplicate.body).toMatchObject({
      status: 409,
      title: 'Conflict',
      detail: 'a plant with this code exists',
    });

    expect((await post({ rawBody: '{"code": "x",' })).status).toBe(400);
    const wrongType = await post({ body: { code: 42, name: 'x' } });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.errors).toEqual([expect.objectContaining({ path: 'code' })]);
    const unknownField = await post({ body: { code: 'x', name: 'x', orgId: org.organizationId } });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.errors[0].message).toMatch(/orgId/);
    expect((await post({ body: { code: 'x', name: 'y'.repeat(1024 * 1024) } })).status).toBe(413);
    expect((await post({ body: { code: "x'; drop table plants;--", name: 'x' } })).status).toBe(422);
    expect(await countRows(cloud(), org.organizationId, 'plants')).toBe(1);
    expect(await countRows(cloud(), org.organizationId, 'audit_log')).toBe(auditBefore);

    const sqlish = "Robert'); DROP TABLE plants; --";
    const stored = await ok(cloud(), 'POST', '/api/v1/plants', org.token, { code: 'bobby', name: sqlish });
    expect((await ok(cloud(), 'GET', `/api/v1/plants/${stored.id}`, org.token)).name).toBe(sqlish);
    expect(await countRows(cloud(), org.organizationId, 'plants')).toBe(2);
  });

  it('refuses to delete a plant that still has areas', async () => {
    const org = await createOrgWithToken(cloud());
    await ok(cloud(), 'POST', '/api/v1/areas', org.token, { plantId: org.plantId, code: 'a', name: 'A' });
    const response = await call(cloud(), 'DELETE', `/api/v1/plants/${org.plantId}`, { token: org.token });
    expect(response.status).toBe(409);
  });
});
