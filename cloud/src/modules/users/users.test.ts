import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  builtInRoleId,
  call,
  createModeledOrg,
  describeEachBackend,
  loginAs,
  ok,
} from '../../../test/helpers.ts';

describeEachBackend('users', (cloud) => {
  it('creates a user with a one-time password, then changes its roles and plants', async () => {
    const org = await createModeledOrg(cloud());
    const viewer = await builtInRoleId(cloud(), org.token, 'viewer');
    const email = `New.User-${randomUUID()}@Example.com`;
    const created = await ok(cloud(), 'POST', '/api/v1/users', org.token, {
      email,
      name: 'New user',
      roleIds: [viewer],
      plantAccess: [org.second.plantId],
    });
    expect(created).toMatchObject({
      email: email.toLowerCase(),
      roleIds: [viewer],
      plantAccess: [org.second.plantId],
    });
    expect(created.password.length).toBeGreaterThanOrEqual(20);
    const fetched = await ok(cloud(), 'GET', `/api/v1/users/${created.id}`, org.token);
    expect(fetched).not.toHaveProperty('password');
    const token = await loginAs(cloud(), created.email, created.password);
    const plants = await ok(cloud(), 'GET', '/api/v1/plants', token);
    expect(plants.items.map((plant: { id: string }) => plant.id)).toEqual([org.second.plantId]);

    const changed = await ok(cloud(), 'PATCH', `/api/v1/users/${created.id}`, org.token, {
      plantAccess: 'all',
    });
    expect(changed.plantAccess).toBe('all');
    expect((await ok(cloud(), 'GET', '/api/v1/plants', token)).items).toHaveLength(2);
    const found = await ok(cloud(), 'GET', `/api/v1/users?email=${encodeURIComponent(email)}`, org.token);
    expect(found.items.map((user: { id: string }) => user.id)).toEqual([created.id]);
  });

  it('refuses unknown roles and plants as failing fields and a taken email as a conflict', async () => {
    const org = await createModeledOrg(cloud());
    const post = (body: unknown) => call(cloud(), 'POST', '/api/v1/users', { token: org.token, body });
    const unknownRole = await post({
      email: `a-${randomUUID()}@x.example`,
      roleIds: [randomUUID()],
      plantAccess: 'all',
    });
    expect(unknownRole.status).toBe(422);
    expect(unknownRole.body.errors[0].path).toBe('roleIds');
    const unknownPlant = await post({
      email: `a-${randomUUID()}@x.example`,
      roleIds: [],
      plantAccess: [randomUUID()],
    });
    expect(unknownPlant.status).toBe(422);
    const taken = await post({ email: org.supervisor.email, roleIds: [], plantAccess: 'all' });
    expect(taken.status).toBe(409);
  });
});
