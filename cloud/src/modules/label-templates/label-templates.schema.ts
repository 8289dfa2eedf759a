import { z } from '@hono/zod-openapi';
import { PageQuery } from '../../http/pagination.ts';
import { Code, Name, Timestamp } from '../plants/plants.schema.ts';

const Zpl = z.string().min(1).max(65536).openapi({ description: 'ZPL II with {{variable}} placeholders' });

export const LabelTemplate = z
  .object({
    id: z.uuid(),
    plantId: z.uuid(),
    code: z.string(),
    name: z.string(),
    zpl: z.string(),
    revision: z.number().int().positive(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('LabelTemplate');
export type LabelTemplate = z.infer<typeof LabelTemplate>;

export const LabelTemplateCreate = z
  .strictObject({ plantId: z.uuid(), code: Code, name: Name, zpl: Zpl })
  .openapi('LabelTemplateCreate');
export type LabelTemplateCreate = z.infer<typeof LabelTemplateCreate>;
export const LabelTemplateUpdate = z
  .strictObject({ code: Code.optional(), name: Name.optional(), zpl: Zpl.optional() })
  .openapi('LabelTemplateUpdate');
export type LabelTemplateUpdate = z.infer<typeof LabelTemplateUpdate>;
export const LabelTemplateQuery = PageQuery.extend({
  plantId: z.uuid().optional(),
  code: z.string().max(64).optional(),
});

export interface LabelTemplateRow {
  id: string;
  plant_id: string;
  code: string;
  name: string;
  zpl: string;
  revision: number;
  created_at: Date;
  updated_at: Date;
}

export const toLabelTemplate = (row: LabelTemplateRow): LabelTemplate => ({
  id: row.id,
  plantId: row.plant_id,
  code: row.code,
  name: row.name,
  zpl: row.zpl,
  revision: row.revision,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
