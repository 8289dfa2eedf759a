import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';

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
   * `setup` (statements without parameters, no transaction control) and then one statement, as one
   * transaction in a single round trip. The statement stays prepared on each connection.
   */
  queryAfter<Row = Record<string, unknown>>(setup: string, text: string, params?: unknown[]): Promise<Row[]>;
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
    queryAfter: async <Row>(setup: string, text: string, params: unknown[] = []) => {
      const client = await pool.connect();
      let broken: Error | undefined;
      const name = statementName(text, 'x');
      const prepared = preparedOn.get(client) ?? new Set<string>();
      preparedOn.set(client, prepared);
      const first = !prepared.has(name);
      try {
        // Simple protocol: several statements in one message run as one implicit transaction, so the
        // setup's transaction-local settings hold for the statement. Prepared after the setup, the
        // statement is planned as the role and settings it will run with.
        const execute =
          params.length > 0 ? `EXECUTE ${name}(${params.map(sqlLiteral).join(', ')})` : `EXECUTE ${name}`;
        const statement = first ? `PREPARE ${name} AS ${text}; ${execute}` : execute;
        const message = setup ? `${setup}; ${statement}` : statement;
        const results = (await client.query(message)) as unknown as pg.QueryResult | pg.QueryResult[];
        prepared.add(name);
        return (Array.isArray(results) ? results.at(-1)! : results).rows as Row[];
      } catch (error) {
        // The statement may be prepared on the connection without our knowing it: start afresh.
        if (first) broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

/** A parameter as an SQL literal; the escape string form reads the same whatever standard_conforming_strings says. */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    text = String(value);
  else if (value instanceof Date) text = value.toISOString();
  else throw new Error(`no SQL literal for a ${typeof value} parameter`);
  if (text.includes('\0')) throw new Error('an SQL literal cannot contain NUL');
  return `E'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
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
        await pglite.exec(`BEGIN; ${setup}`);
        try {
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
