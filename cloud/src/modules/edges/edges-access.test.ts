import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  builtInRoleId,
  call,
  createOrgWithToken,
  describeEachBackend,
  enrollEdge,
  loginAs,
  ok,
} from '../../../test/helpers.ts';

describeEachBackend('edges: permissions and plant scope', (cloud) => {
  async function setUp() {
    const org = await createOrgWithToken(cloud());
    const second = await ok(cloud(), 'POST', '/api/v1/plants', org.token, { code: 'second', name: 'Second' });
    const userWith = async (role: string, plantAccess: string[] | 'all') => {
      const user = await ok(cloud(), 'POST', '/api/v1/users', org.token, {
        email: `${role}-${randomUUID()}@edges.example`,
        roleIds: [await builtInRoleId(cloud(), org.token, role)],
        plantAccess,
      });
      return loginAs(cloud(), user.email, user.password);
    };
    return {
      org,
      firstEdge: await enrollEdge(cloud(), org),
      secondEdge: await enrollEdge(cloud(), { organizationId: org.organizationId, plantId: second.id }),
      secondPlantId: second.id as string,
      supervisor: await userWith('plant_supervisor', [org.plantId]),
      viewer: await userWith('viewer', 'all'),
    };
  }

  it("shows a plant supervisor only its plant's edges and hides the others as not found", async () => {
    const { org, firstEdge, secondEdge, secondPlantId, supervisor } = await setUp();
    const listed = await call(cloud(), 'GET', '/api/v1/edges', { token: supervisor });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((edge: { id: string }) => edge.id)).toEqual([firstEdge.edgeId]);
    const outside = await call(cloud(), 'POST', `/api/v1/edges/${secondEdge.edgeId}/revoke`, {
      token: supervisor,
    });
    expect(outside.status).toBe(404);
    const code = await call(cloud(), 'POST', `/api/v1/plants/${secondPlantId}/enrollment-codes`, {
      token: supervisor,
    });
    expect(code.status).toBe(404);
    const [row] = await cloud().queryAsTenant(
      org.organizationId,
      'select revoked_at from edges where id = $1',
      [secondEdge.edgeId],
    );
    expect(row?.revoked_at).toBeNull();
    expect(
      (await call(cloud(), 'POST', `/api/v1/edges/${firstEdge.edgeId}/revoke`, { token: supervisor })).status,
    ).toBe(200);
  });

  it('requires edges:admin to list, revoke or create enrollment codes', async () => {
    const { org, firstEdge, viewer } = await setUp();
    const codesBefore = await cloud().queryAsTenant(
      org.organizationId,
      'select count(*)::int as count from edge_enrollment_codes',
    );
    for (const [method, path] of [
      ['GET', '/api/v1/edges'],
      ['POST', `/api/v1/edges/${firstEdge.edgeId}/revoke`],
      ['POST', `/api/v1/plants/${org.plantId}/enrollment-codes`],
    ] as const) {
      const response = await call(cloud(), method, path, { token: viewer });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.body.permission).toBe('edges:admin');
    }
    const codesAfter = await cloud().queryAsTenant(
      org.organizationId,
      'select count(*)::int as count from edge_enrollment_codes',
    );
    expect(codesAfter).toEqual(codesBefore);
    const [row] = await cloud().queryAsTenant(
      org.organizationId,
      'select revoked_at from edges where id = $1',
      [firstEdge.edgeId],
    );
    expect(row?.revoked_at).toBeNull();
  });
});
