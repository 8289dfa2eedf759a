import { createTestDatabase, databaseBackends } from '@unison/testkit';
import { describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';

for (const backend of databaseBackends()) {
  describe(`migrations [${backend.kind}]`, () => {
    async function withDatabase(work: (open: () => Promise<Database>) => Promise<void>) {
      if (backend.kind === 'pglite') {
        const db = await openDatabase();
        try {
          await work(async () => db);
        } finally {
          await db.close();
        }
        return;
      }
      const database = await createTestDatabase(backend.serverUrl);
      const opened: Database[] = [];
      try {
        await work(async () => {
          const db = await openDatabase({ databaseUrl: database.url });
          opened.push(db);
          return db;
        });
      } finally {
        await Promise.all(opened.map((db) => db.close()));
        await database.drop();
      }
    }

    it('applies every migration once, and a second run is a no-op', async () => {
      await withDatabase(async (open) => {
        const db = await open();
        const progress: string[] = [];
        const first = await migrate(db, { onProgress: (line) => progress.push(line) });
        expect(first).toContain('0001_tenancy.sql');
        expect(progress.some((line) => line.startsWith('migration 0001_tenancy.sql applied'))).toBe(true);
        expect(await migrate(db)).toEqual([]);
        const recorded = await db.query<{ name: string }>('select name from schema_migrations order by name');
        expect(recorded.map((row) => row.name)).toEqual(first);
      });
    });

    it.runIf(backend.kind === 'postgres')('serializes concurrent migrators', async () => {
      await withDatabase(async (open) => {
        const [a, b] = await Promise.all([open(), open()]);
        const [appliedA, appliedB] = await Promise.all([migrate(a), migrate(b)]);
        expect([...appliedA, ...appliedB].filter((name) => name === '0001_tenancy.sql')).toHaveLength(1);
      });
    });
  });
}
