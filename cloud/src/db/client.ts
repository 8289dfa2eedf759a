import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { pipelineInTransaction, type Statement } from './pipeline.ts';

export type { Statement } from './pipeline.ts';

export type Orm = PgDatabase<PgQueryResultHKT>;

export interface QueryOptions {
  /**
   * Keep the statement parsed and planned on each connection (a named prepared statement). Only for
   * hot statements of fixed text: each distinct text stays prepared for the connection's lifetime.
   */
  prepare?: boolean;
}

/** One connection's worth of SQL: inside a transaction, every call runs on that transaction. */
export interface SqlSession {
  query<Row = Record<string, unknown>>(
    text: string,
    params?: unknown[],
    options?: QueryOptions,
  ): Promise<Row[]>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** drizzle bound to the same connection. */
  orm(): Orm;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  /** The role requests switch to; RLS applies to it. */
  appRole: string;
  query<Row = Record<string, unknown>>(
    text: string,
    params?: unknown[],
    options?: QueryOptions,
  ): Promise<Row[]>;
  /** `setup` (statements without parameters) travels with BEGIN, in the same round trip. */
  transaction<T>(work: (tx: SqlSession) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * `setup` (one statement, no transaction control) and then one statement, as one transaction in a
   * single round trip. Both stay prepared on each connection, so keep their texts fixed.
   */
  queryAfter<Row = Record<string, unknown>>(
    setup: Statement | string,
    text: string,
    params?: unknown[],
  ): Promise<Row[]>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; without it an embedded PGlite database is used. */
  databaseUrl?: string;
  /** PGlite data directory; undefined keeps the database in memory. */
  dataDir?: string;
  appRole?: string;
  poolSize?: number;
}

export interface TransactionOptions {
  setup?: string;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase({
  databaseUrl,
  dataDir,
  appRole = 'unison_app',
  poolSize = 10,
}: OpenDatabaseOptions = {}): Promise<Database> {
  if (!ROLE_NAME.test(appRole)) throw new Error(`invalid app role name: ${appRole}`);
  return databaseUrl ? openPostgres(databaseUrl, appRole, poolSize) : openPglite(dataDir, appRole);
}

async function openPostgres(databaseUrl: string, appRole: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // pg-pool drops its listener while a client is checked out; a checked-out client whose server goes
  // away (a database restart) would then emit an unhandled 'error'. Its query in flight fails by itself.
  pool.on('connect', (client) => client.on('error', () => {}));
  const session = (client: pg.Pool | pg.PoolClient): SqlSession => ({
    query: async (text, params, options) =>
      (
        await client.query(
          options?.prepare ? { name: statementName(text), text, values: params } : { text, values: params },
        )
      ).rows,
    exec: async (text) => {
      await client.query(text);
    },
    orm: () => drizzleNodePg(client) as unknown as Orm,
  });
  return {
    kind: 'postgres',
    appRole,
    query: session(pool).query,
    transaction: async (work, { setup } = {}) => {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(setup ? `BEGIN; ${setup}` : 'BEGIN');
        const result = await work(session(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    queryAfter: async <Row>(setup: Statement | string, text: string, params: unknown[] = []) => {
      const before = typeof setup === 'string' ? { text: setup } : setup;
      const client = await pool.connect();
      try {
        return await pipelineInTransaction<Row>(client, [
          { name: statementName(before.text, 'x'), text: before.text, params: before.params ?? [] },
          { name: statementName(text, 'x'), text, params },
        ]);
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string | undefined, appRole: string): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  // PGlite is one connection: transactions take turns so their statements never interleave.
  const exclusive = createMutex();
  const session: SqlSession = {
    query: async (text, params) => (await pglite.query(text, params)).rows as never[],
    exec: async (text) => {
      await pglite.exec(text);
    },
    orm: () => drizzlePglite(pglite) as unknown as Orm,
  };
  return {
    kind: 'pglite',
    appRole,
    query: (text, params) => exclusive(() => session.query(text, params)),
    transaction: (work, { setup } = {}) =>
      exclusive(async () => {
        await pglite.exec(setup ? `BEGIN; ${setup}` : 'BEGIN');
        try {
          const result = await work(session);
          await pglite.exec('COMMIT');
          return result;
        } catch (error) {
          await pglite.exec('ROLLBACK');
          throw error;
        }
      }),
    queryAfter: (setup, text, params) =>
      exclusive(async () => {
        const before = typeof setup === 'string' ? { text: setup } : setup;
        await pglite.exec('BEGIN');
        try {
          await pglite.query(before.text, before.params ? [...before.params] : undefined);
          const { rows } = await pglite.query(text, params);
          await pglite.exec('COMMIT');
          return rows as never[];
        } catch (error) {
          await pglite.exec('ROLLBACK');
          throw error;
        }
      }),
    close: () => exclusive(() => pglite.close()),
  };
}

const statementNames = new Map<string, Map<string, string>>();

/** A stable name per statement text, the same on every connection. */
function statementName(text: string, prefix = 'u'): string {
  let names = statementNames.get(prefix);
  if (!names) {
    names = new Map();
    statementNames.set(prefix, names);
  }
  let name = names.get(text);
  if (!name) {
    name = `${prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

function createMutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work);
    tail = run.catch(() => undefined);
    return run;
  };
}
