import { z } from '@hono/zod-openapi';
import { PageQuery } from '../../http/pagination.ts';
import { Name, Timestamp } from '../plants/plants.schema.ts';
import { PERMISSIONS } from './permissions.ts';

export const PermissionName = z.enum(PERMISSIONS).openapi('Permission');

export const Role = z
  .object({
    id: z.uuid(),
    key: z.string(),
    name: z.string(),
    description: z.string(),
    permissions: z.array(z.string()),
    builtIn: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Role');
export type Role = z.infer<typeof Role>;

const RoleKey = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, _ and -');
const Permissions = z.array(PermissionName).max(PERMISSIONS.length);

export const RoleCreate = z
  .strictObject({
    key: RoleKey,
    name: Name,
    description: z.string().max(1000).default(''),
    permissions: Permissions,
  })
  .openapi('RoleCreate');
export const RoleUpdate = z
  .strictObject({
    name: Name.optional(),
    description: z.string().max(1000).optional(),
    permissions: Permissions.optional(),
  })
  .openapi('RoleUpdate');
export const RoleQuery = PageQuery.extend({ key: z.string().max(64).optional() });
export const PermissionList = z.object({ items: z.array(PermissionName) });

export interface RoleRow {
  id: string;
  org_id: string | null;
  key: string;
  name: string;
  description: string;
  permissions: string[];
  created_at: Date;
  updated_at: Date;
}

export const toRole = (row: RoleRow): Role => ({
  id: row.id,
  key: row.key,
  name: row.name,
  description: row.description,
  permissions: row.permissions,
  builtIn: row.org_id === null,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
