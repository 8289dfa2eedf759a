import { z } from '@hono/zod-openapi';
import { PageQuery } from '../../http/pagination.ts';
import { Timestamp } from '../plants/plants.schema.ts';

export const PlantAccess = z
  .union([z.literal('all'), z.array(z.uuid()).max(1000)])
  .openapi('PlantAccess', { description: "'all', or the only plants the user sees" });

export const User = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    roleIds: z.array(z.uuid()),
    plantAccess: PlantAccess,
    active: z.boolean(),
    createdAt: Timestamp,
  })
  .openapi('User');
export type User = z.infer<typeof User>;

const RoleIds = z.array(z.uuid()).max(50);
const UserName = z.string().trim().max(200);

export const UserCreate = z
  .strictObject({
    email: z.email().max(320),
    name: UserName.default(''),
    roleIds: RoleIds,
    plantAccess: PlantAccess,
  })
  .openapi('UserCreate');
export type UserCreate = z.infer<typeof UserCreate>;

export const UserUpdate = z
  .strictObject({
    name: UserName.optional(),
    roleIds: RoleIds.optional(),
    plantAccess: PlantAccess.optional(),
  })
  .openapi('UserUpdate');
export type UserUpdate = z.infer<typeof UserUpdate>;

export const CreatedUser = User.extend({ password: z.string() }).openapi('CreatedUser');

export const UserQuery = PageQuery.extend({
  email: z.string().max(320).optional(),
  active: z.enum(['true', 'false']).optional(),
});

export interface UserRow {
  id: string;
  email: string;
  name: string;
  all_plants: boolean;
  deactivated_at: Date | null;
  created_at: Date;
  role_ids: string[];
  plant_ids: string[];
}

export const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  roleIds: row.role_ids,
  plantAccess: row.all_plants ? 'all' : row.plant_ids,
  active: row.deactivated_at === null,
  createdAt: row.created_at.toISOString(),
});
