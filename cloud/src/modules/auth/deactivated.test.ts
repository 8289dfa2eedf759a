import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { builtInRoleId, call, createOrgWithToken, describeEachBackend, ok } from '../../../test/helpers.ts';

describeEachBackend('sessions of a deactivated user', (cloud) => {
  it('refuses its refresh token (revoking the session) and its next login', async () => {
    const org = await createOrgWithToken(cloud());
    const user = await ok(cloud(), 'POST', '/api/v1/users', org.token, {
      email: `leaver-${randomUUID()}@sessions.example`,
      roleIds: [await builtInRoleId(cloud(), org.token, 'viewer')],
      plantAccess: 'all',
    });
    const credentials = { email: user.email, password: user.password };
    const login = await call(cloud(), 'POST', '/api/v1/auth/login', { body: credentials });
    expect(login.status).toBe(200);
    await ok(cloud(), 'DELETE', `/api/v1/users/${user.id}`, org.token);

    const refreshed = await call(cloud(), 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.detail).toBe('the account is deactivated');
    const sessions = await cloud().queryAsTenant(
      org.organizationId,
      'select revoked_at is not null as revoked from refresh_tokens where user_id = $1',
      [user.id],
    );
    expect(sessions.every((row) => row.revoked)).toBe(true);
    const again = await call(cloud(), 'POST', '/api/v1/auth/login', { body: credentials });
    expect(again.status).toBe(401);
  });
});
