import { createTestDatabase, databaseBackends } from '@unison/testkit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { withOwnerInTenant } from '../db/tenant.ts';
import { createSigningKeyRing } from '../modules/auth/signing-key-ring.ts';
import { createUserTokens } from '../modules/auth/tokens.ts';
import { createOrganization } from '../modules/organizations/organizations.service.ts';
import { syncBuiltInRoles } from '../modules/roles/roles.service.ts';
import { createApp } from './app.ts';

const TTL_MS = 60_000;

for (const backend of databaseBackends()) {
  describe(`cached caller access [${backend.kind}]`, () => {
    let db: Database;
    let drop: (() => Promise<void>) | undefined;
    let app: ReturnType<typeof createApp>;
    let clockMs = Date.now();
    let organizationId: string;
    let adminToken: string;

    const request = async (method: string, path: string, token: string, body?: unknown) => {
      const response = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      // biome-ignore lint/suspicious/noExplicitAny: tests inspect response bodies loosely
      return { status: response.status, body: (await response.json()) as any };
    };
    const login = async (email: string, password: string) => {
      const response = await app.request('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      return ((await response.json()) as { accessToken: string }).accessToken;
    };
    /** What another process (or an operator at the SQL prompt) would do: this process is not told. */
    const behindTheBack = (text: string, params: unknown[]) =>
      withOwnerInTenant(db, { organizationId }, (tx) => tx.query(text, params));
    const newViewer = async (email: string) => {
      const roles = await request('GET', '/api/v1/roles?key=viewer', adminToken);
      const user = await request('POST', '/api/v1/users', adminToken, {
        email,
        roleIds: [roles.body.items[0].id],
        plantAccess: 'all',
      });
      expect(user.status).toBe(201);
      return { id: user.body.id as string, token: await login(email, user.body.password) };
    };

    beforeAll(async () => {
      if (backend.kind === 'postgres') {
        const database = await createTestDatabase(backend.serverUrl);
        drop = database.drop;
        db = await openDatabase({ databaseUrl: database.url });
      } else {
        db = await openDatabase();
      }
      await migrate(db);
      await syncBuiltInRoles(db);
      const tokens = createUserTokens({ keys: await createSigningKeyRing(db) });
      app = createApp({
        db,
        tokens,
        log: pino({ enabled: false }),
        access: { ttlMs: TTL_MS, now: () => clockMs },
      });
      const org = await createOrganization(db, {
        name: 'Cached',
        plant: { code: 'main', name: 'Main' },
        admin: { email: 'admin@cached.example' },
      });
      organizationId = org.organizationId;
      adminToken = await login(org.admin.email, org.admin.password);
    });
    afterAll(async () => {
      await db?.close();
      await drop?.();
    });

    it('reuses what it looked up until the time runs out', async () => {
      const viewer = await newViewer('ttl@cached.example');
      expect((await request('GET', '/api/v1/plants', viewer.token)).status).toBe(200);
      await behindTheBack('delete from user_roles where user_id = $1', [viewer.id]);
      expect((await request('GET', '/api/v1/plants', viewer.token)).status).toBe(200);
      clockMs += TTL_MS + 1;
      const refused = await request('GET', '/api/v1/plants', viewer.token);
      expect(refused.status).toBe(403);
      expect(refused.body.permission).toBe('plants:read');
    });

    it('forgets every caller after a write through the guard', async () => {
      const viewer = await newViewer('write@cached.example');
      expect((await request('GET', '/api/v1/plants', viewer.token)).status).toBe(200);
      await behindTheBack('delete from user_roles where user_id = $1', [viewer.id]);
      const plant = await request('POST', '/api/v1/plants', adminToken, { code: 'other', name: 'Other' });
      expect(plant.status).toBe(201);
      expect((await request('GET', '/api/v1/plants', viewer.token)).status).toBe(403);
    });

    it('stops a user deactivated behind its back once the time runs out', async () => {
      const viewer = await newViewer('leaver@cached.example');
      expect((await request('GET', '/api/v1/plants', viewer.token)).status).toBe(200);
      await behindTheBack('update users set deactivated_at = now() where id = $1', [viewer.id]);
      clockMs += TTL_MS + 1;
      const refused = await request('GET', '/api/v1/plants', viewer.token);
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toMatch(/deactivated/);
    });
  });
}
