import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { PERMISSION_EXTENSION } from '../src/http/authorize.ts';
import { PLATFORM_PERMISSION } from '../src/modules/organizations/platform.routes.ts';
import { PERMISSIONS } from '../src/modules/roles/permissions.ts';
import { builtInRoleId, call, createOrgWithToken, describeEachBackend, loginAs, ok } from './helpers.ts';

/** Routes anyone may call: they authenticate the caller themselves. */
const PUBLIC_PREFIXES = ['/api/v1/auth/', '/api/v1/edges/enroll', '/api/v1/platform/login'];

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is inspected loosely
type Operation = { method: string; path: string; security?: Record<string, unknown>[]; [key: string]: any };

describeEachBackend('authorization', (cloud) => {
  let operations: Operation[];
  beforeAll(async () => {
    const doc = (await call(cloud(), 'GET', '/openapi.json')).body;
    operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, item]) => Object.entries(item).map(([method, op]) => ({ ...op, method, path })),
    );
  });
  const schemesOf = (op: Operation) => (op.security ?? []).flatMap((scheme) => Object.keys(scheme));

  it('declares a known permission on every /api/v1 route but the public and edge-signed ones', () => {
    const api = operations.filter((op) => op.path.startsWith('/api/v1/'));
    expect(api.length).toBeGreaterThan(20);
    for (const op of api) {
      const route = `${op.method} ${op.path}`;
      if (schemesOf(op).includes('edgeAssertion')) continue;
      if (schemesOf(op).length === 0) {
        expect(
          PUBLIC_PREFIXES.some((prefix) => op.path.startsWith(prefix)),
          `${route} is public`,
        ).toBe(true);
        continue;
      }
      if (op.path.startsWith('/api/v1/auth/')) continue;
      const permission = op[PERMISSION_EXTENSION];
      expect([...PERMISSIONS, PLATFORM_PERMISSION], `${route} declares ${permission}`).toContain(permission);
    }
  });

  it('refuses every permission-guarded route to a user without roles, with a 403 problem naming the permission', async () => {
    const org = await createOrgWithToken(cloud());
    const nobody = await ok(cloud(), 'POST', '/api/v1/users', org.token, {
      email: `nobody-${randomUUID()}@example.com`,
      roleIds: [],
      plantAccess: 'all',
    });
    const token = await loginAs(cloud(), nobody.email, nobody.password);
    const guarded = operations.filter(
      (op) => op[PERMISSION_EXTENSION] && schemesOf(op).includes('userToken'),
    );
    for (const op of guarded) {
      const path = op.path.replace(/\{\w+\}/g, org.plantId);
      const body = op.requestBody ? {} : undefined;
      const response = await call(cloud(), op.method.toUpperCase(), path, { token, body });
      expect({ route: `${op.method} ${op.path}`, status: response.status }).toEqual({
        route: `${op.method} ${op.path}`,
        status: 403,
      });
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body.permission).toBe(op[PERMISSION_EXTENSION]);
    }
  });

  it('stops a deactivated user at its next request', async () => {
    const org = await createOrgWithToken(cloud());
    const user = await ok(cloud(), 'POST', '/api/v1/users', org.token, {
      email: `leaver-${randomUUID()}@example.com`,
      roleIds: [await builtInRoleId(cloud(), org.token, 'viewer')],
      plantAccess: 'all',
    });
    const token = await loginAs(cloud(), user.email, user.password);
    expect((await call(cloud(), 'GET', '/api/v1/plants', { token })).status).toBe(200);
    const deactivated = await ok(cloud(), 'DELETE', `/api/v1/users/${user.id}`, org.token);
    expect(deactivated.active).toBe(false);
    const refused = await call(cloud(), 'GET', '/api/v1/plants', { token });
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toMatch(/deactivated/);
  });

  it('lets callers hand out only what they hold, and keeps built-in roles read-only', async () => {
    const org = await createOrgWithToken(cloud());
    const userAdminRole = await ok(cloud(), 'POST', '/api/v1/roles', org.token, {
      key: 'user-admin',
      name: 'User admin',
      permissions: ['users:read', 'users:admin', 'roles:read'],
    });
    const admin = await ok(cloud(), 'POST', '/api/v1/users', org.token, {
      email: `ua-${randomUUID()}@example.com`,
      roleIds: [userAdminRole.id],
      plantAccess: 'all',
    });
    const token = await loginAs(cloud(), admin.email, admin.password);
    const escalation = await call(cloud(), 'POST', '/api/v1/users', {
      token,
      body: {
        email: `x-${randomUUID()}@example.com`,
        roleIds: [await builtInRoleId(cloud(), org.token, 'org_admin')],
        plantAccess: 'all',
      },
    });
    expect(escalation.status).toBe(403);
    const viewer = await builtInRoleId(cloud(), org.token, 'viewer');
    const readOnly = await call(cloud(), 'PATCH', `/api/v1/roles/${viewer}`, {
      token: org.token,
      body: { permissions: ['users:admin'] },
    });
    expect(readOnly.status).toBe(403);
    expect((await call(cloud(), 'DELETE', `/api/v1/roles/${viewer}`, { token: org.token })).status).toBe(403);
  });

  it('lets a platform admin create organizations and list their names, and read tenant data only when granted', async () => {
    const operator = await cloud().admin.createPlatformAdmin({
      email: `ops-${randomUUID()}@platform.example`,
    });
    const login = await call(cloud(), 'POST', '/api/v1/platform/login', {
      body: { email: operator.email, password: operator.password },
    });
    expect(login.status).toBe(200);
    const platformToken = login.body.accessToken;
    const created = await call(cloud(), 'POST', '/api/v1/platform/organizations', {
      token: platformToken,
      body: {
        name: 'Initech',
        plant: { code: 'main', name: 'Main' },
        admin: { email: `boss-${randomUUID()}@initech.example` },
      },
    });
    expect(created.status).toBe(201);
    const { organizationId } = created.body;
    const names = await ok(cloud(), 'GET', '/api/v1/platform/organizations?limit=200', platformToken);
    expect(names.items).toContainEqual(expect.objectContaining({ id: organizationId, name: 'Initech' }));
    expect(Object.keys(names.items[0]).sort()).toEqual(['createdAt', 'id', 'name']);

    expect((await call(cloud(), 'GET', '/api/v1/plants', { token: platformToken })).status).toBe(403);
    expect((await call(cloud(), 'GET', '/api/v1/machines', { token: platformToken })).status).toBe(403);
    const ungranted = await call(cloud(), 'POST', `/api/v1/platform/organizations/${organizationId}/token`, {
      token: platformToken,
    });
    expect(ungranted.status).toBe(404);

    const bossToken = await loginAs(cloud(), created.body.admin.email, created.body.admin.password);
    const grant = await ok(cloud(), 'POST', '/api/v1/platform-grants', bossToken, {
      platformAdminEmail: operator.email,
      roleId: await builtInRoleId(cloud(), bossToken, 'viewer'),
      hours: 2,
    });
    const granted = await ok(
      cloud(),
      'POST',
      `/api/v1/platform/organizations/${organizationId}/token`,
      platformToken,
    );
    const plants = await ok(cloud(), 'GET', '/api/v1/plants', granted.accessToken);
    expect(plants.items.map((plant: { id: string }) => plant.id)).toEqual([created.body.plantId]);
    const write = await call(cloud(), 'POST', '/api/v1/plants', {
      token: granted.accessToken,
      body: { code: 'x', name: 'x' },
    });
    expect(write.status).toBe(403);
    const audit = await ok(cloud(), 'GET', '/api/v1/audit?table=platform_grants', bossToken);
    expect(audit.items[0]).toMatchObject({ action: 'insert', rowId: grant.id });
    const orgAudit = await ok(cloud(), 'GET', '/api/v1/audit?table=organizations', bossToken);
    expect(orgAudit.items[0].actor).toEqual({ type: 'platform_admin', id: operator.id });

    await ok(cloud(), 'DELETE', `/api/v1/platform-grants/${grant.id}`, bossToken);
    expect((await call(cloud(), 'GET', '/api/v1/plants', { token: granted.accessToken })).status).toBe(403);
    const tenantToken = (await createOrgWithToken(cloud())).token;
    expect(
      (await call(cloud(), 'GET', '/api/v1/platform/organizations', { token: tenantToken })).status,
    ).toBe(403);
  });
});
