import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cloud, createCloud } from '../../index.ts';
import { clientAddress } from './client-address.ts';

describe('client address', () => {
  let url: string;
  let server: ReturnType<typeof serve>;
  beforeAll(async () => {
    const app = new Hono().get('/', (c) =>
      c.json({ socket: clientAddress(c), proxied: clientAddress(c, 'x-forwarded-for') }),
    );
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
        url = `http://127.0.0.1:${info.port}/`;
        resolve();
      });
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is the socket's peer unless a trusted proxy header is configured", async () => {
    const plain = await (await fetch(url)).json();
    expect(plain).toEqual({ socket: '127.0.0.1', proxied: '127.0.0.1' });
    const spoofed = await (await fetch(url, { headers: { 'x-forwarded-for': '203.0.113.9' } })).json();
    expect(spoofed).toEqual({ socket: '127.0.0.1', proxied: '203.0.113.9' });
  });

  it('takes the entry the proxy appended, not the ones the client sent', async () => {
    const chained = await (
      await fetch(url, { headers: { 'x-forwarded-for': '10.9.9.9, 203.0.113.9, ::ffff:198.51.100.7' } })
    ).json();
    expect(chained.proxied).toBe('198.51.100.7');
  });
});

describe('login rate limits behind a trusted proxy', () => {
  let cloud: Cloud;
  let url: string;
  beforeAll(async () => {
    cloud = await createCloud({
      log: false,
      identity: {
        trustedProxyHeader: 'x-forwarded-for',
        loginThrottle: { maxFailuresPerAccount: 100, maxFailuresPerAddress: 2, windowMs: 60_000 },
      },
    });
    ({ url } = await cloud.listen({ port: 0 }));
  });
  afterAll(() => cloud.close());

  const login = (forwardedFor: string) =>
    fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ email: 'someone@proxy.example', password: 'guess' }),
    });

  it('counts failures per forwarded address over real sockets', async () => {
    expect((await login('203.0.113.1')).status).toBe(401);
    expect((await login('203.0.113.1')).status).toBe(401);
    const refused = await login('203.0.113.1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await login('203.0.113.2')).status).toBe(401);
  });
});
