import { uuidv7 } from 'uuidv7';
import type { Database, SqlSession } from '../../db/client.ts';
import type { CallerAccess } from '../../http/env.ts';
import { notFound, ProblemError } from '../../http/problem.ts';
import { raise } from '../plants/plants.service.ts';
import { BUILT_IN_ROLES } from './permissions.ts';
import { deleteRole, findRole, insertRole, updateRole, upsertBuiltInRole } from './roles.repository.ts';

const BUILT_IN_SYNC_LOCK = 0x756e726f6c65;

/** Brings the built-in roles' permissions in line with BUILT_IN_ROLES; runs once at start-up. */
export async function syncBuiltInRoles(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [BUILT_IN_SYNC_LOCK]);
    for (const [key, permissions] of Object.entries(BUILT_IN_ROLES)) {
      await upsertBuiltInRole(tx, key, permissions);
    }
  });
}

const readOnly = () => new ProblemError(403, 'Forbidden', 'built-in roles are read-only');

function withinCaller(access: CallerAccess, permissions: readonly string[] | undefined) {
  const beyond = (permissions ?? []).filter((permission) => !access.permissions.has(permission));
  if (beyond.length > 0) {
    throw new ProblemError(
      403,
      'Forbidden',
      `a role cannot hold permissions the caller lacks: ${beyond.join(', ')}`,
    );
  }
}

export async function createRole(
  tx: SqlSession,
  access: CallerAccess,
  input: { key: string; name: string; description: string; permissions: string[] },
) {
  withinCaller(access, input.permissions);
  return insertRole(tx, {
    id: uuidv7(),
    organizationId: access.organizationId,
    ...input,
    permissions: [...new Set(input.permissions)].sort(),
  });
}

export async function getRole(tx: SqlSession, id: string) {
  return (await findRole(tx, id)) ?? raise(notFound('role'));
}

export async function changeRole(
  tx: SqlSession,
  access: CallerAccess,
  id: string,
  patch: { name?: string; description?: string; permissions?: string[] },
) {
  const role = await getRole(tx, id);
  if (role.org_id === null) throw readOnly();
  withinCaller(access, patch.permissions);
  const permissions = patch.permissions && [...new Set(patch.permissions)].sort();
  return (await updateRole(tx, id, { ...patch, permissions })) ?? raise(notFound('role'));
}

export async function removeRole(tx: SqlSession, id: string): Promise<void> {
  const role = await getRole(tx, id);
  if (role.org_id === null) throw readOnly();
  if (!(await deleteRole(tx, id))) throw notFound('role');
}
