import { expect, it } from 'vitest';
import { call, describeEachBackend } from '../../../test/helpers.ts';

describeEachBackend('refresh tokens', (cloud) => {
  const refresh = (refreshToken: unknown) =>
    call(cloud(), 'POST', '/api/v1/auth/refresh', { body: { refreshToken } });
  const logout = (refreshToken: unknown) =>
    call(cloud(), 'POST', '/api/v1/auth/logout', { body: { refreshToken } });

  let orgCounter = 0;
  async function signIn() {
    const org = await cloud().admin.createOrganization({
      name: `refresh-${++orgCounter}`,
      plant: { code: 'main', name: 'Main' },
      admin: { email: `admin-${orgCounter}-${Date.now()}@refresh.example` },
    });
    const login = await call(cloud(), 'POST', '/api/v1/auth/login', {
      body: { email: org.admin.email, password: org.admin.password },
    });
    expect(login.status).toBe(200);
    return { ...org, login: login.body };
  }
  const tokenRows = async (organizationId: string) =>
    (await cloud().queryAsTenant(
      organizationId,
      'select family_id, used_at is not null as used, revoked_at is not null as revoked from refresh_tokens order by id',
    )) as { family_id: string; used: boolean; revoked: boolean }[];

  it('comes with every login: opaque, 30 days, stored only as a hash', async () => {
    const { organizationId, login } = await signIn();
    expect(login).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 30 * 24 * 3600 });
    expect(login.refreshToken).toMatch(/^[\w-]{43}$/);
    const stored = await cloud().queryAsTenant(organizationId, 'select token_hash from refresh_tokens');
    expect(stored.map((row) => row.token_hash)).not.toContain(login.refreshToken);
    expect(JSON.stringify(stored)).not.toContain(login.refreshToken);
  });

  it('rotates on every use: a new pair in the same family, the old token marked used', async () => {
    const { organizationId, login } = await signIn();
    const first = await refresh(login.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(login.refreshToken);
    const edges = await call(cloud(), 'GET', '/api/v1/edges', { token: first.body.accessToken });
    expect(edges.status).toBe(200);
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
    const family = await tokenRows(organizationId);
    expect(new Set(family.map((row) => row.family_id)).size).toBe(1);
    expect(family.map((row) => row.used)).toEqual([true, true, false]);
    expect(family.every((row) => !row.revoked)).toBe(true);
  });

  it('revokes the whole family when a used token comes back, and answers 401', async () => {
    const { organizationId, login } = await signIn();
    const rotated = await refresh(login.refreshToken);
    expect(rotated.status).toBe(200);
    const reuse = await refresh(login.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.headers.get('content-type')).toBe('application/problem+json');
    expect(reuse.body.detail).toMatch(/already used/);
    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
    expect((await tokenRows(organizationId)).every((row) => row.revoked)).toBe(true);
  });

  it('lets exactly one of two concurrent uses through, and the race revokes the family', async () => {
    const { organizationId, login } = await signIn();
    const results = await Promise.all([refresh(login.refreshToken), refresh(login.refreshToken)]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 401]);
    const winner = results.find((result) => result.status === 200)!;
    expect((await refresh(winner.body.refreshToken)).status).toBe(401);
    expect((await tokenRows(organizationId)).every((row) => row.revoked)).toBe(true);
  });

  it('keeps other sessions of the same user alive when one family is revoked', async () => {
    const { organizationId, admin, login } = await signIn();
    const second = await call(cloud(), 'POST', '/api/v1/auth/login', {
      body: { email: admin.email, password: admin.password },
    });
    await refresh(login.refreshToken);
    await refresh(login.refreshToken);
    expect((await refresh(second.body.refreshToken)).status).toBe(200);
    const families = new Set(
      (await tokenRows(organizationId)).filter((row) => !row.revoked).map((row) => row.family_id),
    );
    expect(families.size).toBe(1);
  });

  it('ends the session on logout; the tokens of that family stop working', async () => {
    const { organizationId, login } = await signIn();
    const rotated = await refresh(login.refreshToken);
    const out = await logout(rotated.body.refreshToken);
    expect(out.status).toBe(204);
    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
    expect((await tokenRows(organizationId)).every((row) => row.revoked)).toBe(true);
    expect((await logout(rotated.body.refreshToken)).status).toBe(204);
  });

  it('refuses unknown, malformed and oversized refresh tokens and writes nothing', async () => {
    const { organizationId, login } = await signIn();
    const before = await tokenRows(organizationId);
    const unknown = await refresh('x'.repeat(43));
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail).toBe('unknown refresh token');
    const lastChar = login.refreshToken.at(-1) === 'A' ? 'B' : 'A';
    expect((await refresh(`${login.refreshToken.slice(0, -1)}${lastChar}`)).status).toBe(401);
    expect((await refresh("' or 1=1 --")).status).toBe(401);
    expect((await refresh(42)).status).toBe(422);
    expect((await refresh('')).status).toBe(422);
    expect((await refresh('x'.repeat(513))).status).toBe(422);
    const extra = await call(cloud(), 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: login.refreshToken, userId: organizationId },
    });
    expect(extra.status).toBe(422);
    expect(
      (await call(cloud(), 'POST', '/api/v1/auth/refresh', { rawBody: '{"refreshToken":' })).status,
    ).toBe(400);
    expect((await logout('never-issued')).status).toBe(204);
    expect(await tokenRows(organizationId)).toEqual(before);
    expect((await refresh(login.refreshToken)).status).toBe(200);
  });
});
