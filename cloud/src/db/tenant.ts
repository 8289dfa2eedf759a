import type { Database, SqlSession, Statement } from './client.ts';

export type ActorType = 'user' | 'edge' | 'platform_admin' | 'system';

/** Who writes in a transaction; audit triggers record it with every row they log. */
export interface Actor {
  type: ActorType;
  id?: string;
}

export interface TenantContext {
  organizationId: string;
  /** An edge's plant: narrows the visible plants to it unless `plantIds` says otherwise. */
  plantId?: string;
  /** Plants visible in the transaction; defaults to `plantId` alone when given, else every plant. */
  plantIds?: readonly string[] | 'all';
  /** Defaults to the user or edge named by `userId`/`edgeId`, else the system. */
  actor?: Actor;
  userId?: string;
  edgeId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function settings(context: TenantContext): Record<string, string> {
  const { organizationId, plantId, plantIds = plantId ? [plantId] : 'all' } = context;
  const actor =
    context.actor ??
    (context.userId
      ? { type: 'user' as const, id: context.userId }
      : context.edgeId
        ? { type: 'edge' as const, id: context.edgeId }
        : { type: 'system' as const });
  return {
    'app.org_id': organizationId,
    'app.plant_id': plantId ?? '',
    'app.plant_ids': plantIds === 'all' ? '*' : `{${plantIds.map(requireUuid).join(',')}}`,
    'app.actor_type': actor.type,
    'app.actor_id': actor.id ? requireUuid(actor.id) : '',
  };
}

function requireUuid(value: string): string {
  if (!UUID.test(value)) throw new Error(`not a uuid: ${value}`);
  return value;
}

/** The tenant's settings as one statement of literals, so a request pays one round trip for them. */
function tenantStatement(context: TenantContext, ...before: string[]): string {
  const calls = Object.entries(settings(context)).map(
    ([name, value]) => `set_config('${name}', ${quoteLiteral(value)}, true)`,
  );
  return `SELECT ${[...before, ...calls].join(', ')}`;
}

function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a tenant setting cannot contain NUL');
  return `'${value.replaceAll("'", "''")}'`;
}

const SETTINGS = ['app.org_id', 'app.plant_id', 'app.plant_ids', 'app.actor_type', 'app.actor_id'] as const;

// The app role and the tenant's settings as parameters of one fixed text, prepared once per connection.
const TENANT_SETUP = `SELECT set_config('role', $1, true), ${SETTINGS.map(
  (name, index) => `set_config('${name}', $${index + 2}, true)`,
).join(', ')}`;

function tenantSetup(db: Database, context: TenantContext): Statement {
  const values = settings(context);
  return { text: TENANT_SETUP, params: [db.appRole, ...SETTINGS.map((name) => values[name])] };
}

/**
 * Runs `work` in one transaction as the app role with no tenant set: RLS shows nothing, so only the
 * SECURITY DEFINER lookups answer until `setTenant` is called.
 */
export function withAppRole<T>(db: Database, work: (tx: SqlSession) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.exec(`SET LOCAL ROLE "${db.appRole}"`);
    return work(tx);
  });
}

/** Sets the tenant (organization, plants, actor) for the rest of the current transaction. */
export async function setTenant(tx: SqlSession, context: TenantContext): Promise<void> {
  await tx.exec(tenantStatement(context));
}

/** Runs `work` in one transaction as the app role inside the organization's tenant context. */
export function withTenant<T>(
  db: Database,
  context: TenantContext,
  work: (tx: SqlSession) => Promise<T>,
): Promise<T> {
  // set_config('role', …, true) is SET LOCAL ROLE; sent with BEGIN, the whole context costs no extra round trip.
  const setup = tenantStatement(context, `set_config('role', ${quoteLiteral(db.appRole)}, true)`);
  return db.transaction(work, { setup });
}

/**
 * `withTenant` for work that is one statement, such as a hot read: the tenant context and the
 * statement travel together in a single round trip. A second statement from `work` is refused.
 */
export function withTenantStatement<T>(
  db: Database,
  context: TenantContext,
  work: (tx: SqlSession) => Promise<T>,
): Promise<T> {
  const setup = tenantSetup(db, context);
  let issued = false;
  const oneStatement = (): never => {
    throw new Error('withTenantStatement runs one statement; use withTenant for more');
  };
  return work({
    query: async (text, params) => {
      if (issued) oneStatement();
      issued = true;
      return db.queryAfter(setup, text, params);
    },
    exec: async () => oneStatement(),
    orm: oneStatement,
  });
}

/**
 * Administrative work (creating organizations) as the connecting owner, still inside a tenant
 * context so FORCE ROW LEVEL SECURITY holds for a non-superuser owner too.
 */
export function withOwnerInTenant<T>(
  db: Database,
  context: TenantContext,
  work: (tx: SqlSession) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await setTenant(tx, context);
    return work(tx);
  });
}
