import type { Database, SqlSession } from './client.ts';

export interface TenantContext {
  organizationId: string;
  plantId?: string;
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

/** Sets the tenant for the rest of the current transaction. */
export async function setTenant(tx: SqlSession, { organizationId, plantId }: TenantContext): Promise<void> {
  await tx.query(`select set_config('app.org_id', $1, true), set_config('app.plant_id', $2, true)`, [
    organizationId,
    plantId ?? '',
  ]);
}

/** Runs `work` in one transaction as the app role inside the organization's tenant context. */
export function withTenant<T>(
  db: Database,
  context: TenantContext,
  work: (tx: SqlSession) => Promise<T>,
): Promise<T> {
  return withAppRole(db, async (tx) => {
    await setTenant(tx, context);
    return work(tx);
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
