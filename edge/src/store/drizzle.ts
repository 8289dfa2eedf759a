import { createRequire } from 'node:module';

// drizzle-orm through its CommonJS build. Node's ESM loader parses drizzle-orm's 180 kB package.json
// `exports` again for each of the ~150 modules it loads, which leaves ~150 MB of garbage in the old
// generation at startup (and two seconds); the CommonJS build loads in ~20 MB. Same API and types.
const require = createRequire(import.meta.url);

export const { and, asc, count, eq, lt, lte, min, sql } =
  require('drizzle-orm') as typeof import('drizzle-orm');
export const { integer, primaryKey, sqliteTable, text } =
  require('drizzle-orm/sqlite-core') as typeof import('drizzle-orm/sqlite-core');
export const { drizzle } =
  require('drizzle-orm/better-sqlite3') as typeof import('drizzle-orm/better-sqlite3');
export type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
