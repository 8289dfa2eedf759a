import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './client.ts';

const MIGRATIONS_DIR = join(import.meta.dirname, '..', '..', 'migrations');
// Any constant shared by every process migrating this database.
const MIGRATION_LOCK_KEY = 0x756e69736f6e;

export interface MigrateOptions {
  dir?: string;
  onProgress?: (line: string) => void;
}

/** Applies pending migrations in file-name order, each in its own transaction; returns the applied names. */
export async function migrate(
  db: Database,
  { dir = MIGRATIONS_DIR, onProgress = () => {} }: MigrateOptions = {},
): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  const applied: string[] = [];
  for (const name of files) {
    const startedMs = Date.now();
    const ran = await db.transaction(async (tx) => {
      // Serializes concurrent migrators; the second one then finds the migration recorded.
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await tx.exec(
        `CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
         REVOKE ALL ON schema_migrations FROM PUBLIC;`,
      );
      const done = await tx.query('select 1 from schema_migrations where name = $1', [name]);
      if (done.length > 0) return false;
      await tx.exec(renderMigration(readFileSync(join(dir, name), 'utf8'), db.appRole));
      await tx.query('insert into schema_migrations (name) values ($1)', [name]);
      return true;
    });
    if (ran) {
      applied.push(name);
      onProgress(`migration ${name} applied in ${Date.now() - startedMs} ms`);
    }
  }
  onProgress(
    applied.length > 0 ? `database migrated (${applied.length} applied)` : 'database schema up to date',
  );
  return applied;
}

/** Fills psql-style variables, so the files also run under `psql -v app_role=...`. */
export function renderMigration(text: string, appRole: string): string {
  return text.replaceAll(':"app_role"', `"${appRole}"`).replaceAll(":'app_role'", `'${appRole}'`);
}
