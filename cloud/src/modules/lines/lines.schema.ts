import { z } from '@hono/zod-openapi';
import { PageQuery } from '../../http/pagination.ts';
import { Code, Name, Timestamp } from '../plants/plants.schema.ts';

export const Line = z
  .object({
    id: z.uuid(),
    plantId: z.uuid(),
    areaId: z.uuid(),
    code: z.string(),
    name: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Line');
export type Line = z.infer<typeof Line>;

export const LineCreate = z.strictObject({ areaId: z.uuid(), code: Code, name: Name }).openapi('LineCreate');
export const LineUpdate = z
  .strictObject({ code: Code.optional(), name: Name.optional() })
  .openapi('LineUpdate');
export const LineQuery = PageQuery.extend({
  plantId: z.uuid().optional(),
  areaId: z.uuid().optional(),
  code: z.string().max(64).optional(),
});

export interface LineRow {
  id: string;
  plant_id: string;
  area_id: string;
  code: string;
  name: string;
  created_at: Date;
  updated_at: Date;
}

export const toLine = (row: LineRow): Line => ({
  id: row.id,
  plantId: row.plant_id,
  areaId: row.area_id,
  code: row.code,
  name: row.name,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
