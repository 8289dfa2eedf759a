import { waitFor } from '@unison/testkit';
import { expect, it } from 'vitest';
import { call } from '../../../test/helpers.ts';
import { callFrom, describeEachBackendWith } from './auth.fixtures.ts';

const WINDOW_MS = 1_500;
const loginThrottle = { maxFailuresPerAccount: 3, maxFailuresPerAddress: 6, windowMs: WINDOW_MS };

describeEachBackendWith('login rate limits', { identity: { loginThrottle } }, (cloud) => {
  let accounts = 0;
  let addresses = 0;
  const newAddress = () => `198.51.100.${++addresses}`;
  async function newAccount() {
    const created = await cloud().admin.createOrganization({
      name: `throttle-${++accounts}`,
      plant: { code: 'main', name: 'Main' },
      admin: { email: `admin-${accounts}@throttle.example`, password: `right password ${accounts}` },
    });
    const { email, password } = created.admin;
    const sessions = async () =>
      (
        await cloud().queryAsTenant(
          created.organizationId,
          'select count(*)::int as count from refresh_tokens',
        )
      )[0]?.count;
    return { email, password, sessions };
  }
  const login = (address: string, email: string, password: string) =>
    callFrom(cloud(), address, 'POST', '/api/v1/auth/login', { email, password });

  it('answers 429 with Retry-After once an account has had its failures, even to the right password', async () => {
    const account = await newAccount();
    const address = newAddress();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await login(address, account.email, 'wrong')).status).toBe(401);
    }
    const locked = await login(address, account.email, account.password);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('content-type')).toBe('application/problem+json');
    expect(locked.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / 1000));
    expect(locked.body.retryAfter).toBe(retryAfter);
    // Another address is locked out of this account too; the account is what is under attack.
    expect((await login(newAddress(), account.email.toUpperCase(), account.password)).status).toBe(429);
    expect(await account.sessions()).toBe(0);
  });

  it('ends the lock one window after the first failure, however often it is tried meanwhile', async () => {
    const account = await newAccount();
    const address = newAddress();
    const firstFailureMs = Date.now();
    for (let attempt = 0; attempt < 3; attempt += 1) await login(address, account.email, 'wrong');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await login(address, account.email, 'wrong')).status).toBe(429);
    }
    await waitFor(
      async () => ((await login(address, account.email, account.password)).status === 200 ? true : undefined),
      { timeoutMs: WINDOW_MS + 10_000, intervalMs: 100, what: 'the lock to end' },
    );
    expect(Date.now() - firstFailureMs).toBeGreaterThanOrEqual(WINDOW_MS);
    expect(await account.sessions()).toBe(1);
  });

  it('limits an address across accounts, and leaves other addresses alone', async () => {
    const address = newAddress();
    const victims = await Promise.all([newAccount(), newAccount(), newAccount()]);
    for (const victim of victims.slice(0, 2)) {
      for (let attempt = 0; attempt < 3; attempt += 1) await login(address, victim.email, 'wrong');
    }
    const third = victims[2]!;
    const refused = await login(address, third.email, third.password);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await third.sessions()).toBe(0);
    expect((await login(newAddress(), third.email, third.password)).status).toBe(200);
  });

  it("forgets an account's failures after a successful login", async () => {
    const account = await newAccount();
    for (let round = 0; round < 3; round += 1) {
      // A fresh address each round, so only the account's counter is at stake.
      const address = newAddress();
      await login(address, account.email, 'wrong');
      await login(address, account.email, 'wrong');
      expect((await login(address, account.email, account.password)).status).toBe(200);
    }
  });

  it('holds the limit under a burst of concurrent guesses', async () => {
    const account = await newAccount();
    const address = newAddress();
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, index) => login(address, account.email, `guess ${index}`)),
    );
    const statuses = guesses.map((guess) => guess.status).sort();
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
  });

  it('throttles unknown accounts the same way, so the answers do not reveal which exist', async () => {
    const address = newAddress();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      statuses.push((await login(address, 'nobody@throttle.example', 'guess')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('refuses malformed login bodies before counting anything', async () => {
    const account = await newAccount();
    const address = newAddress();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(
        (await callFrom(cloud(), address, 'POST', '/api/v1/auth/login', { email: account.email })).status,
      ).toBe(422);
    }
    expect((await call(cloud(), 'POST', '/api/v1/auth/login', { rawBody: '{' })).status).toBe(400);
    expect((await login(address, account.email, account.password)).status).toBe(200);
  });

  it("throttles platform operators' logins too, apart from users' failures", async () => {
    const operator = await cloud().admin.createPlatformAdmin({ email: `ops-${++accounts}@throttle.example` });
    const platformLogin = (address: string, password: string) =>
      callFrom(cloud(), address, 'POST', '/api/v1/platform/login', { email: operator.email, password });
    // A user account of the same email failing does not lock the operator out.
    for (let attempt = 0; attempt < 3; attempt += 1) await login(newAddress(), operator.email, 'wrong');
    expect((await platformLogin(newAddress(), operator.password)).status).toBe(200);
    const address = newAddress();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await platformLogin(address, 'wrong')).status).toBe(401);
    }
    const locked = await platformLogin(newAddress(), operator.password);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(locked.body).not.toHaveProperty('accessToken');
  });
});
