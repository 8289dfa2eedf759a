import { randomUUID } from 'node:crypto';
import { EDGE_ASSERTION_AUDIENCE, USER_TOKEN_AUDIENCE } from '@unison/contracts';
import { createTestDatabase, databaseBackends } from '@unison/testkit';
import { base64url, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../db/client.ts';
import { migrate } from '../../db/migrate.ts';
import { createApp } from '../../http/app.ts';
import { createOrganization } from '../organizations/organizations.service.ts';
import { createSigningKeyRing, type SigningKeyRing } from './signing-key-ring.ts';
import { createUserTokens, TOKEN_ISSUER } from './tokens.ts';

type Operation = { method: string; path: string };

for (const backend of databaseBackends()) {
  describe(`user tokens on every protected route [${backend.kind}]`, () => {
    let db: Database;
    let keys: SigningKeyRing;
    let app: ReturnType<typeof createApp>;
    let drop: (() => Promise<void>) | undefined;
    let user: { userId: string; organizationId: string };
    let validToken: string;

    beforeAll(async () => {
      if (backend.kind === 'postgres') {
        const database = await createTestDatabase(backend.serverUrl);
        drop = database.drop;
        db = await openDatabase({ databaseUrl: database.url });
      } else {
        db = await openDatabase();
      }
      await migrate(db);
      keys = await createSigningKeyRing(db);
      const tokens = createUserTokens({ keys });
      app = createApp({ db, tokens, log: pino({ enabled: false }) });
      const org = await createOrganization(db, {
        name: 'Target',
        plant: { code: 'main', name: 'Main' },
        admin: { email: 'admin@target.example' },
      });
      const login = await app.request('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: org.admin.email, password: org.admin.password }),
      });
      validToken = ((await login.json()) as { accessToken: string }).accessToken;
      const [, payload] = validToken.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as JWTPayload;
      user = { userId: claims.sub!, organizationId: claims.org as string };
    });
    afterAll(async () => {
      await db?.close();
      await drop?.();
    });

    const nowSeconds = () => Math.floor(Date.now() / 1000);
    const claims = (overrides: JWTPayload = {}): JWTPayload => ({
      iss: TOKEN_ISSUER,
      aud: USER_TOKEN_AUDIENCE,
      sub: user.userId,
      org: user.organizationId,
      iat: nowSeconds(),
      exp: nowSeconds() + 300,
      ...overrides,
    });
    const signWithCloudKey = async (payload: JWTPayload) => {
      const signer = await keys.current();
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid })
        .sign(signer.privateKey);
    };
    const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

    async function badTokens(): Promise<Record<string, string>> {
      const signer = await keys.current();
      const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const [header, , signature] = validToken.split('.');
      const withoutExp = claims();
      delete withoutExp.exp;
      return {
        expired: await signWithCloudKey(claims({ iat: nowSeconds() - 3600, exp: nowSeconds() - 1800 })),
        tampered: `${header}.${encode(claims({ org: randomUUID() }))}.${signature}`,
        'alg none': `${encode({ alg: 'none', kid: signer.kid })}.${encode(claims())}.`,
        'unknown key under our kid': await new SignJWT(claims())
          .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid })
          .sign(stranger.privateKey),
        'unknown key and kid': await new SignJWT(claims())
          .setProtectedHeader({ alg: 'EdDSA', kid: randomUUID() })
          .sign(stranger.privateKey),
        'HS256 keyed with our public key': await new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', kid: signer.kid })
          .sign(new TextEncoder().encode(JSON.stringify(signer.publicJwk))),
        'wrong audience': await signWithCloudKey(claims({ aud: EDGE_ASSERTION_AUDIENCE })),
        'wrong issuer': await signWithCloudKey(claims({ iss: 'someone-else' })),
        'no expiry': await signWithCloudKey(withoutExp),
        'no organization': await signWithCloudKey(claims({ org: undefined })),
        garbage: 'not.a.token',
      };
    }

    async function userRoutes(): Promise<Operation[]> {
      const document = (await (await app.request('/openapi.json')).json()) as {
        paths: Record<string, Record<string, { security?: Record<string, unknown>[] }>>;
      };
      return Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) => operation.security?.some((scheme) => 'userToken' in scheme))
          .map(([method, _]) => ({
            method: method.toUpperCase(),
            path: path.replaceAll(/\{[^}]+\}/g, randomUUID()),
          })),
      );
    }

    const send = (operation: Operation, authorization?: string) =>
      app.request(operation.path, {
        method: operation.method,
        headers: {
          ...(authorization ? { authorization } : {}),
          ...(operation.method === 'GET' || operation.method === 'DELETE'
            ? {}
            : { 'content-type': 'application/json' }),
        },
        body: operation.method === 'GET' || operation.method === 'DELETE' ? undefined : '{}',
      });

    /** Every row of every table, as the owner sees it. */
    async function snapshot(): Promise<string> {
      const tables = await db.query<{ name: string }>(
        `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind in ('r', 'p') order by c.relname`,
      );
      const parts = await Promise.all(
        tables.map(async ({ name }) => {
          const [row] = await db.query<{ digest: string | null }>(
            `select md5(string_agg(t::text, ',' order by t::text)) as digest from "${name}" t`,
          );
          return `${name}:${row?.digest}`;
        }),
      );
      return parts.join('\n');
    }

    it('finds the protected routes in the OpenAPI document', async () => {
      const routes = await userRoutes();
      expect(routes.map((route) => route.path)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^\/api\/v1\/machines/),
          expect.stringMatching(/^\/api\/v1\/edges$/),
          expect.stringMatching(/^\/api\/v1\/edges\/[^/]+\/revoke$/),
          expect.stringMatching(/^\/api\/v1\/plants\/[^/]+\/enrollment-codes$/),
        ]),
      );
    });

    it('answers every bad token on every protected route with a 401 problem and writes nothing', async () => {
      const routes = await userRoutes();
      const tokens = await badTokens();
      const before = await snapshot();
      for (const route of routes) {
        const missing = await send(route);
        expect(missing.status, `${route.method} ${route.path} without a token`).toBe(401);
        expect((await send(route, `Basic ${validToken}`)).status, `${route.method} ${route.path} Basic`).toBe(
          401,
        );
        for (const [kind, token] of Object.entries(tokens)) {
          const response = await send(route, `Bearer ${token}`);
          expect(response.status, `${route.method} ${route.path} with a ${kind} token`).toBe(401);
          expect(response.headers.get('content-type')).toBe('application/problem+json');
        }
      }
      expect(await snapshot()).toBe(before);
      for (const route of routes) {
        const control = await send(route, `Bearer ${validToken}`);
        expect(control.status, `${route.method} ${route.path} with a valid token`).not.toBe(401);
      }
    });
  });
}
