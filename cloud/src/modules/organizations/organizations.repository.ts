import type { SqlSession } from '../../db/client.ts';
import { organizations, plants, users } from '../../db/schema.ts';

export interface NewOrganization {
  organizationId: string;
  name: string;
  plant: { id: string; code: string; name: string };
  admin: { id: string; email: string; passwordHash: string };
}

export async function insertOrganization(tx: SqlSession, org: NewOrganization): Promise<void> {
  const orm = tx.orm();
  await orm.insert(organizations).values({ id: org.organizationId, name: org.name });
  await orm.insert(plants).values({ ...org.plant, orgId: org.organizationId });
  await orm.insert(users).values({ ...org.admin, orgId: org.organizationId });
}

/** Whether an email is taken in any organization, through the same lookup login uses. */
export async function emailTaken(tx: SqlSession, email: string): Promise<boolean> {
  const rows = await tx.query('select 1 from auth_find_login($1)', [email]);
  return rows.length > 0;
}
