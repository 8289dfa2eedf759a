import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type DatabaseBackend = { kind: 'pglite' } | { kind: 'postgres'; serverUrl: string };

/**
 * The backends database tests run on: PGlite always, and the PostgreSQL server at
 * `DATABASE_URL` as well when it is set (CI sets it).
 */
export function databaseBackends(env: NodeJS.ProcessEnv = process.env): DatabaseBackend[] {
  const serverUrl = env.DATABASE_URL;
  return serverUrl ? [{ kind: 'pglite' }, { kind: 'postgres', serverUrl }] : [{ kind: 'pglite' }];
}

/** Creates a uniquely named database on the server; `drop()` removes it (and its connections). */
export async function createTestDatabase(
  serverUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `unison_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
