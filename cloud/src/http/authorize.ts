import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Database, SqlSession } from '../db/client.ts';
import { type TenantContext, withTenant, withTenantStatement } from '../db/tenant.ts';
import type { UserTokens } from '../modules/auth/tokens.ts';
import { userAuth } from '../modules/auth/user-auth.middleware.ts';
import type { Permission } from '../modules/roles/permissions.ts';
import type { AppEnv, CallerAccess } from './env.ts';
import { USER_AUTH } from './openapi.ts';
import { ProblemError, unauthorized } from './problem.ts';

/** The OpenAPI extension that names the permission a route requires; the guard reads it from there. */
export const PERMISSION_EXTENSION = 'x-permission';

export type GuardedRouteConfig = Omit<RouteConfig, 'security' | 'middleware'> & {
  [PERMISSION_EXTENSION]: Permission;
};

interface AccessRow {
  kind: 'user' | 'platform_admin';
  active: boolean;
  all_plants: boolean;
  permissions: string[];
  plant_ids: string[];
}

export interface AuthorizerOptions {
  db: Database;
  tokens: UserTokens;
  /**
   * How long a caller's permissions and plants are reused before they are looked up again. Any
   * write request through the guard in this process drops them at once, so role, plant and account
   * changes made here apply to the next request; other processes see them within this time. 0 looks
   * them up on every request.
   */
  accessTtlMs?: number;
  /** Callers whose access is kept at most; the oldest go first. */
  accessCacheSize?: number;
  now?: () => number;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Loads the caller's permissions and plants (once per request, or from a short-lived cache) and checks them. */
export function createAuthorizer({
  db,
  tokens,
  accessTtlMs = 2_000,
  accessCacheSize = 10_000,
  now = Date.now,
}: AuthorizerOptions) {
  const authenticate = userAuth(tokens);
  const recent = createAccessCache({ ttlMs: accessTtlMs, maxSize: accessCacheSize, now });

  const loadAccess = async (c: Context<AppEnv>): Promise<CallerAccess> => {
    const cached = c.get('access');
    if (cached) return cached;
    const { userId, organizationId } = c.get('user');
    const key = `${userId}/${organizationId}`;
    let access = recent.get(key);
    if (!access) {
      const generation = recent.generation();
      // A definer lookup outside any transaction: one round trip, before the tenant context exists.
      const [row] = await db.query<AccessRow>(
        'select kind, active, all_plants, permissions, plant_ids from authz_access($1, $2)',
        [userId, organizationId],
        { prepare: true },
      );
      if (!row) throw new ProblemError(403, 'Forbidden', 'the caller has no access to this organization');
      if (!row.active) throw unauthorized('the account is deactivated');
      access = {
        kind: row.kind,
        principalId: userId,
        organizationId,
        permissions: new Set(row.permissions),
        plantIds: row.all_plants ? 'all' : row.plant_ids,
      };
      recent.set(key, access, generation);
    }
    c.set('access', access);
    return access;
  };

  const requirePermission =
    (permission: Permission): MiddlewareHandler<AppEnv> =>
    async (c, next) => {
      const access = await loadAccess(c);
      if (!access.permissions.has(permission)) {
        throw new ProblemError(403, 'Forbidden', `this requires the ${permission} permission`, {
          permission,
        });
      }
      try {
        await next();
      } finally {
        // A write may have changed someone's roles, plants or account: nobody's cached access survives it.
        if (!READ_METHODS.has(c.req.method)) recent.clear();
      }
    };

  /** A user-token route whose permission is declared in its OpenAPI metadata and enforced from there. */
  const route = <const R extends GuardedRouteConfig>(config: R) =>
    createRoute({
      ...config,
      security: USER_AUTH,
      middleware: [authenticate, requirePermission(config[PERMISSION_EXTENSION])] as [
        MiddlewareHandler<AppEnv>,
        MiddlewareHandler<AppEnv>,
      ],
    });

  return { requirePermission, route, loadAccess };
}

export type Authorizer = ReturnType<typeof createAuthorizer>;

/** Access by caller for `ttlMs`; `clear` also refuses entries whose lookup began before it. */
function createAccessCache({ ttlMs, maxSize, now }: { ttlMs: number; maxSize: number; now: () => number }) {
  const entries = new Map<string, { access: CallerAccess; expiresAtMs: number }>();
  let generation = 0;
  return {
    generation: () => generation,
    get(key: string): CallerAccess | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAtMs > now()) return entry.access;
      entries.delete(key);
      return undefined;
    },
    set(key: string, access: CallerAccess, lookedUpInGeneration: number) {
      if (ttlMs <= 0 || lookedUpInGeneration !== generation) return;
      entries.delete(key);
      if (entries.size >= maxSize) entries.delete(entries.keys().next().value!);
      entries.set(key, { access, expiresAtMs: now() + ttlMs });
    },
    clear() {
      generation += 1;
      entries.clear();
    },
  };
}

/** The tenant context of the guarded caller: its organization, its plants, and itself as the actor. */
export function callerTenant(access: CallerAccess): TenantContext {
  return {
    organizationId: access.organizationId,
    plantIds: access.plantIds,
    actor: { type: access.kind, id: access.principalId },
  };
}

export const hasAllPlants = (access: CallerAccess) => access.plantIds === 'all';

/** Runs `work` as the guarded caller, turning constraint violations into problems. */
export function asCaller<T>(
  c: Context<AppEnv>,
  db: Database,
  work: (tx: SqlSession) => Promise<T>,
): Promise<T> {
  return withTenant(db, callerTenant(c.get('access')), work).catch((error: unknown) => {
    throw databaseProblem(error) ?? error;
  });
}

/**
 * `asCaller` for work that is one statement (a read on the hot path): the tenant context travels with
 * it in a single round trip.
 */
export function readAsCaller<T>(
  c: Context<AppEnv>,
  db: Database,
  work: (tx: SqlSession) => Promise<T>,
): Promise<T> {
  return withTenantStatement(db, callerTenant(c.get('access')), work).catch((error: unknown) => {
    throw databaseProblem(error) ?? error;
  });
}

interface DatabaseError {
  code?: string;
  message?: string;
  table?: string;
  constraint?: string;
}

/** The client-facing meaning of a constraint violation; undefined for anything else. */
export function databaseProblem(error: unknown): ProblemError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message = '', table = 'row', constraint } = error as DatabaseError;
  const noun = table.replace(/s$/, '');
  switch (code) {
    case '23505': {
      // RLS hides the key values from the detail, so the constraint name (table_columns_key) says what clashed.
      const columns = (constraint ?? '')
        .replace(new RegExp(`^${table}_`), '')
        .replace(/_key$/, '')
        .replace(/(^|_)(org|plant|area)_id(?=_|$)/g, '')
        .replace(/^_+|_+$/g, '')
        .replaceAll('_', ' ');
      return new ProblemError(409, 'Conflict', `a ${noun} with this ${columns || 'key'} exists`);
    }
    case '23503':
      return message.startsWith('update or delete')
        ? new ProblemError(409, 'Conflict', `the ${noun} is still referenced by other records`)
        : new ProblemError(422, 'Unprocessable Content', `a referenced record does not exist`);
    case '42501':
      return /row-level security/.test(message)
        ? new ProblemError(404, 'Not Found', `${noun} not found`)
        : undefined;
    case '23514':
    case '22001':
      return new ProblemError(422, 'Unprocessable Content', `the ${noun} failed a check: ${message}`);
    default:
      return undefined;
  }
}
