import { z } from '@hono/zod-openapi';
import { PageQuery } from '../../http/pagination.ts';
import { Code, Name, Timestamp } from '../plants/plants.schema.ts';

export const Area = z
  .object({
    id: z.uuid(),
    plantId: z.uuid(),
    code: z.string(),
    name: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Area');
export type Area = z.infer<typeof Area>;

export const AreaCreate = z.strictObject({ plantId: z.uuid(), code: Code, name: Name }).openapi('AreaCreate');
export const AreaUpdate = z
  .strictObject({ code: Code.optional(), name: Name.optional() })
  .openapi('AreaUpdate');
export const AreaQuery = PageQuery.extend({
  plantId: z.uuid().optional(),
  code: z.string().max(64).optional(),
});

export interface AreaRow {
  id: string;
  plant_id: string;
  code: string;
  name: string;
  created_at: Date;
  updated_at: Date;
}

export const toArea = (row: AreaRow): Area => ({
  id: row.id,
  plantId: row.plant_id,
  code: row.code,
  name: row.name,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
