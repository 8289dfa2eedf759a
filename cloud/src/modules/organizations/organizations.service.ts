import { uuidv7 } from 'uuidv7';
import type { Database } from '../../db/client.ts';
import { type Actor, withOwnerInTenant } from '../../db/tenant.ts';
import { ProblemError } from '../../http/problem.ts';
import { generatePassword, hashPassword } from '../auth/passwords.ts';
import { emailTaken, insertOrganization } from './organizations.repository.ts';

export interface CreateOrganizationInput {
  name: string;
  /** Recorded in the audit log; the system when not given. */
  actor?: Actor;
  plant: { code: string; name: string };
  admin: { email: string; password?: string };
}

export interface CreatedOrganization {
  organizationId: string;
  plantId: string;
  admin: { email: string; password: string };
}

/** An organization with its first plant and first admin; a password is generated when none is given. */
export async function createOrganization(
  db: Database,
  input: CreateOrganizationInput,
): Promise<CreatedOrganization> {
  const organizationId = uuidv7();
  const plantId = uuidv7();
  const email = input.admin.email.trim().toLowerCase();
  const password = input.admin.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  await withOwnerInTenant(db, { organizationId, actor: input.actor }, async (tx) => {
    if (await emailTaken(tx, email))
      throw new ProblemError(409, 'Conflict', `a user with email ${email} exists`);
    await insertOrganization(tx, {
      organizationId,
      name: input.name,
      plant: { id: plantId, code: input.plant.code, name: input.plant.name },
      admin: { id: uuidv7(), email, passwordHash },
    });
  });
  return { organizationId, plantId, admin: { email, password } };
}
