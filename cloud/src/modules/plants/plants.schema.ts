import { z } from '@hono/zod-openapi';
import { MachineCode } from '@unison/contracts';
import { PageQuery } from '../../http/pagination.ts';

/** Codes of plants, areas, lines and machines: short, URL- and file-safe. */
export const Code = MachineCode;
export const Name = z.string().trim().min(1).max(200);
export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
export const Timestamp = z.iso.datetime({ offset: true });

export const Plant = z
  .object({ id: z.uuid(), code: z.string(), name: z.string(), createdAt: Timestamp, updatedAt: Timestamp })
  .openapi('Plant');
export type Plant = z.infer<typeof Plant>;

export const PlantCreate = z.strictObject({ code: Code, name: Name }).openapi('PlantCreate');
export const PlantUpdate = z
  .strictObject({ code: Code.optional(), name: Name.optional() })
  .openapi('PlantUpdate');
export const PlantQuery = PageQuery.extend({ code: z.string().max(64).optional() });

export interface PlantRow {
  id: string;
  code: string;
  name: string;
  created_at: Date;
  updated_at: Date;
}

export const toPlant = (row: PlantRow): Plant => ({
  id: row.id,
  code: row.code,
  name: row.name,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
