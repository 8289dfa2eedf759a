import { createTestDatabase, databaseBackends } from '@unison/testkit';
import { decodeProtectedHeader } from 'jose';
import { expect, it } from 'vitest';
import { call } from '../../../test/helpers.ts';
import { createCloud } from '../../index.ts';
import { describeEachBackendWith } from './auth.fixtures.ts';

const ROLLOVER_MS = 2_500;

describeEachBackendWith('signing-key rotation', { identity: { keyRolloverMs: ROLLOVER_MS } }, (cloud) => {
  let orgs = 0;
  async function signIn() {
    const org = await cloud().admin.createOrganization({
      name: `keys-${++orgs}`,
      plant: { code: 'main', name: 'Main' },
      admin: { email: `admin-${orgs}@keys.example` },
    });
    const login = await call(cloud(), 'POST', '/api/v1/auth/login', {
      body: { email: org.admin.email, password: org.admin.password },
    });
    return {
      ...org,
      accessToken: login.body.accessToken as string,
      refreshToken: login.body.refreshToken as string,
    };
  }
  const published = async () =>
    (await call(cloud(), 'GET', '/.well-known/jwks.json')).body.keys.map((key: { kid: string }) => key.kid);
  const accepted = async (token: string) => (await call(cloud(), 'GET', '/api/v1/edges', { token })).status;

  it('signs with the new key at once and accepts the old one only for the rollover window', async () => {
    const before = await signIn();
    const oldKid = kidOf(before.accessToken);
    expect(await published()).toEqual([oldKid]);

    const { kid: newKid } = await cloud().admin.rotateSigningKey();
    const rotatedMs = Date.now();
    expect(newKid).not.toBe(oldKid);
    expect(await accepted(before.accessToken)).toBe(200);
    expect(await published()).toEqual([newKid, oldKid]);
    const after = await signIn();
    expect(kidOf(after.accessToken)).toBe(newKid);
    expect(await accepted(after.accessToken)).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, rotatedMs + ROLLOVER_MS + 50 - Date.now()));
    expect(await accepted(before.accessToken)).toBe(401);
    expect(await accepted(after.accessToken)).toBe(200);
    expect(await published()).toEqual([newKid]);
  });

  it('keeps refresh tokens working across a rotation: they are not signed', async () => {
    const session = await signIn();
    await cloud().admin.rotateSigningKey();
    const refreshed = await call(cloud(), 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(kidOf(refreshed.body.accessToken)).toBe((await published())[0]);
  });
});

const postgres = databaseBackends().find((backend) => backend.kind === 'postgres');

it.runIf(postgres)(
  'lets another process of the same database verify tokens of a key it has not seen yet',
  async () => {
    const database = await createTestDatabase(postgres!.serverUrl);
    const first = await createCloud({ databaseUrl: database.url, log: false });
    const second = await createCloud({ databaseUrl: database.url, log: false });
    try {
      const org = await first.admin.createOrganization({
        name: 'two processes',
        plant: { code: 'main', name: 'Main' },
        admin: { email: 'admin@two.example' },
      });
      const before = await call(first, 'POST', '/api/v1/auth/login', {
        body: { email: org.admin.email, password: org.admin.password },
      });
      await first.admin.rotateSigningKey();
      const after = await call(first, 'POST', '/api/v1/auth/login', {
        body: { email: org.admin.email, password: org.admin.password },
      });
      expect(kidOf(after.body.accessToken)).not.toBe(kidOf(before.body.accessToken));
      expect((await call(second, 'GET', '/api/v1/edges', { token: before.body.accessToken })).status).toBe(
        200,
      );
      expect((await call(second, 'GET', '/api/v1/edges', { token: after.body.accessToken })).status).toBe(
        200,
      );
    } finally {
      await first.close();
      await second.close();
      await database.drop();
    }
  },
);

function kidOf(token: string) {
  return decodeProtectedHeader(token).kid;
}
