import { z } from '@hono/zod-openapi';
import { PageQuery } from '../../http/pagination.ts';
import { Name, Timestamp } from '../plants/plants.schema.ts';
import type { OrganizationRow } from './organizations.repository.ts';

export const Organization = z
  .object({ id: z.uuid(), name: z.string(), createdAt: Timestamp, updatedAt: Timestamp })
  .openapi('Organization');
export type Organization = z.infer<typeof Organization>;

export const OrganizationUpdate = z.strictObject({ name: Name.optional() }).openapi('OrganizationUpdate');
export const OrganizationQuery = PageQuery;

export const OrganizationCreate = z
  .strictObject({
    name: Name,
    plant: z.strictObject({ code: z.string().min(1).max(64), name: Name }),
    admin: z.strictObject({ email: z.email().max(320) }),
  })
  .openapi('OrganizationCreate');

export const CreatedOrganizationResponse = z
  .object({
    organizationId: z.uuid(),
    plantId: z.uuid(),
    admin: z.object({ email: z.string(), password: z.string() }),
  })
  .openapi('CreatedOrganization');

export const toOrganization = (row: OrganizationRow): Organization => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
