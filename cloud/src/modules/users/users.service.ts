import { uuidv7 } from 'uuidv7';
import type { SqlSession } from '../../db/client.ts';
import type { CallerAccess } from '../../http/env.ts';
import { notFound, ProblemError } from '../../http/problem.ts';
import { generatePassword, hashPassword } from '../auth/passwords.ts';
import { raise } from '../plants/plants.service.ts';
import {
  deactivateUser,
  findUser,
  insertUser,
  setUserPlantAccess,
  setUserRoles,
  updateUserName,
  visiblePlantIds,
  visibleRoles,
} from './users.repository.ts';
import type { UserCreate, UserUpdate } from './users.schema.ts';

const invalid = (path: string, message: string) =>
  new ProblemError(422, 'Unprocessable Content', message, { errors: [{ path, message }] });

/** Callers hand out only roles within their own permissions and plants they can see themselves. */
async function checkGrants(
  tx: SqlSession,
  access: CallerAccess,
  { roleIds, plantAccess }: { roleIds?: readonly string[]; plantAccess?: 'all' | readonly string[] },
): Promise<void> {
  if (roleIds) {
    const roles = await visibleRoles(tx, roleIds);
    const missing = roleIds.filter((id) => !roles.some((role) => role.id === id));
    if (missing.length > 0) throw invalid('roleIds', `unknown roles: ${missing.join(', ')}`);
    const beyond = roles.flatMap((role) => role.permissions).filter((p) => !access.permissions.has(p));
    if (beyond.length > 0) {
      throw new ProblemError(
        403,
        'Forbidden',
        `cannot grant permissions the caller lacks: ${[...new Set(beyond)].join(', ')}`,
      );
    }
  }
  if (plantAccess === 'all' && access.plantIds !== 'all') {
    throw new ProblemError(403, 'Forbidden', 'granting access to all plants requires it');
  }
  if (plantAccess && plantAccess !== 'all') {
    const visible = await visiblePlantIds(tx, plantAccess);
    const missing = plantAccess.filter((id) => !visible.includes(id));
    if (missing.length > 0) throw invalid('plantAccess', `unknown plants: ${missing.join(', ')}`);
  }
}

export async function createUser(tx: SqlSession, access: CallerAccess, input: UserCreate) {
  await checkGrants(tx, access, input);
  const password = generatePassword();
  const user = { id: uuidv7(), organizationId: access.organizationId };
  const email = input.email.trim().toLowerCase();
  await insertUser(tx, { ...user, email, name: input.name, passwordHash: await hashPassword(password) });
  await setUserRoles(tx, user, [...new Set(input.roleIds)]);
  await setUserPlantAccess(tx, user, input.plantAccess === 'all' ? 'all' : [...new Set(input.plantAccess)]);
  return { row: await getUser(tx, user.id), password };
}

export async function getUser(tx: SqlSession, id: string) {
  return (await findUser(tx, id)) ?? raise(notFound('user'));
}

export async function changeUser(tx: SqlSession, access: CallerAccess, id: string, patch: UserUpdate) {
  await getUser(tx, id);
  await checkGrants(tx, access, patch);
  const user = { id, organizationId: access.organizationId };
  if (patch.name !== undefined) await updateUserName(tx, id, patch.name);
  if (patch.roleIds) await setUserRoles(tx, user, [...new Set(patch.roleIds)]);
  if (patch.plantAccess) {
    await setUserPlantAccess(tx, user, patch.plantAccess === 'all' ? 'all' : [...new Set(patch.plantAccess)]);
  }
  return getUser(tx, id);
}

/** Users are deactivated, never deleted: the audit log keeps pointing at them. */
export async function deactivate(tx: SqlSession, access: CallerAccess, id: string) {
  if (id === access.principalId)
    throw new ProblemError(409, 'Conflict', 'callers cannot deactivate themselves');
  if (!(await deactivateUser(tx, id))) throw notFound('user');
  return getUser(tx, id);
}
