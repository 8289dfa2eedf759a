import { z } from '@hono/zod-openapi';
import { PageQuery } from '../../http/pagination.ts';
import { Code, Name, Timestamp } from '../plants/plants.schema.ts';

export const Unit = z.string().trim().min(1).max(32);

export const Material = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    unit: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Material');
export type Material = z.infer<typeof Material>;

export const MaterialCreate = z
  .strictObject({ code: Code, name: Name, unit: Unit })
  .openapi('MaterialCreate');
export type MaterialCreate = z.infer<typeof MaterialCreate>;
export const MaterialUpdate = z
  .strictObject({ code: Code.optional(), name: Name.optional(), unit: Unit.optional() })
  .openapi('MaterialUpdate');
export type MaterialUpdate = z.infer<typeof MaterialUpdate>;
export const MaterialQuery = PageQuery.extend({ code: z.string().max(64).optional() });

export interface MaterialRow {
  id: string;
  code: string;
  name: string;
  unit: string;
  created_at: Date;
  updated_at: Date;
}

export const toMaterial = (row: MaterialRow): Material => ({
  id: row.id,
  code: row.code,
  name: row.name,
  unit: row.unit,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
