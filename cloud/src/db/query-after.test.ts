import { createTestDatabase, databaseBackends } from '@unison/testkit';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from './client.ts';
import { migrate } from './migrate.ts';
import { withOwnerInTenant, withTenantStatement } from './tenant.ts';

for (const backend of databaseBackends()) {
  describe(`one-round-trip statements [${backend.kind}]`, () => {
    let db: Database;
    let drop: (() => Promise<void>) | undefined;
    const orgA = uuidv7();
    const orgB = uuidv7();

    beforeAll(async () => {
      if (backend.kind === 'postgres') {
        const database = await createTestDatabase(backend.serverUrl);
        drop = database.drop;
        // One connection, so what a statement leaves behind is seen by the next one.
        db = await openDatabase({ databaseUrl: database.url, poolSize: 1 });
      } else {
        db = await openDatabase();
      }
      await migrate(db);
      for (const [id, name] of [
        [orgA, 'A'],
        [orgB, 'B'],
      ] as const) {
        await withOwnerInTenant(db, { organizationId: id }, (tx) =>
          tx.query('insert into organizations (id, name) values ($1, $2)', [id, name]),
        );
      }
    });
    afterAll(async () => {
      await db?.close();
      await drop?.();
    });

    it('passes awkward parameters through unchanged', async () => {
      const values = ["it's", 'back\\slash', "\\'; select 1; --", "$1 $$ E'x'", 'Grüße, 工場 🏭', ''];
      const [row] = await db.queryAfter<Record<string, unknown>>(
        "SELECT set_config('app.probe', 'on', true)",
        'select $1::text as a, $2::text as b, $3::text as c, $4::text as d, $5::text as e, $6::text as f, $7::int as n, $8::boolean as t, $9::text as z',
        [...values, 42, true, null],
      );
      expect(row).toEqual({
        a: values[0],
        b: values[1],
        c: values[2],
        d: values[3],
        e: values[4],
        f: '',
        n: 42,
        t: true,
        z: null,
      });
    });

    it("keeps the setup's transaction-local settings for the statement and for nothing after it", async () => {
      const [inside] = await db.queryAfter<{ value: string }>(
        "SELECT set_config('app.org_id', 'x', true)",
        "select current_setting('app.org_id', true) as value",
      );
      expect(inside!.value).toBe('x');
      const [after] = await db.query<{ value: string | null }>(
        "select coalesce(current_setting('app.org_id', true), '') as value",
      );
      expect(after!.value).toBe('');
    });

    it('takes parameters for the setup too', async () => {
      const [row] = await db.queryAfter<{ value: string }>(
        { text: "SELECT set_config('app.probe', $1, true)", params: ["it's \\ 工場"] },
        "select current_setting('app.probe') as value",
      );
      expect(row!.value).toBe("it's \\ 工場");
    });

    it('runs nothing after a failing setup, and keeps answering', async () => {
      const probe = "select current_setting('app.probe', true) as value, $1::int as n";
      await expect(db.queryAfter('SELECT nonsense(', probe, [1])).rejects.toThrow(/syntax error/);
      await expect(db.queryAfter('SELECT 1 / 0', probe, [2])).rejects.toThrow(/division by zero/);
      expect(
        await db.queryAfter({ text: "SELECT set_config('app.probe', $1, true)", params: ['x'] }, probe, [3]),
      ).toEqual([{ value: 'x', n: 3 }]);
    });

    it('reports a failing statement and keeps answering, prepared or not', async () => {
      const divide = 'select 10 / $1::int as quotient';
      await expect(db.queryAfter('SELECT 1', divide, [0])).rejects.toThrow(/division by zero/);
      expect(await db.queryAfter('SELECT 1', divide, [2])).toEqual([{ quotient: 5 }]);
      await expect(db.queryAfter('SELECT 1', divide, [0])).rejects.toThrow(/division by zero/);
      expect(await db.queryAfter('SELECT 1', divide, [5])).toEqual([{ quotient: 2 }]);
    });

    it("runs as the app role in the tenant's context, so RLS shows that organization alone", async () => {
      const seen = (organizationId: string) =>
        withTenantStatement(db, { organizationId }, (tx) =>
          tx.query<{ id: string; role: string }>('select id, current_user as role from organizations'),
        );
      expect(await seen(orgA)).toEqual([{ id: orgA, role: db.appRole }]);
      expect(await seen(orgB)).toEqual([{ id: orgB, role: db.appRole }]);
      expect(await seen(uuidv7())).toEqual([]);
      // The role and the tenant end with the statement's transaction: the connection is the owner's again.
      const [after] = await db.query<{ role: string; org: string }>(
        "select current_user as role, coalesce(current_setting('app.org_id', true), '') as org",
      );
      expect(after).toEqual({ role: expect.not.stringMatching(db.appRole), org: '' });
    });

    it('refuses a second statement', async () => {
      await expect(
        withTenantStatement(db, { organizationId: orgA }, async (tx) => {
          await tx.query('select 1');
          return tx.query('select 2');
        }),
      ).rejects.toThrow(/one statement/);
    });
  });
}
