import { z } from '@hono/zod-openapi';
import { PageQuery } from '../../http/pagination.ts';
import { Unit } from '../materials/materials.schema.ts';
import { Timestamp } from '../plants/plants.schema.ts';

const TagName = z.string().trim().min(1).max(200);
const Description = z.string().max(1000);
const Limit = z.number().finite();

export const MachineTag = z
  .object({
    id: z.uuid(),
    plantId: z.uuid(),
    machineId: z.uuid(),
    tag: z.string(),
    description: z.string(),
    unit: z.string().nullable(),
    low: z.number().nullable(),
    high: z.number().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('MachineTag');
export type MachineTag = z.infer<typeof MachineTag>;

export const MachineTagCreate = z
  .strictObject({
    machineId: z.uuid(),
    tag: TagName,
    description: Description.optional(),
    unit: Unit.nullable().optional(),
    low: Limit.nullable().optional(),
    high: Limit.nullable().optional(),
  })
  .openapi('MachineTagCreate');
export type MachineTagCreate = z.infer<typeof MachineTagCreate>;
export const MachineTagUpdate = z
  .strictObject({
    tag: TagName.optional(),
    description: Description.optional(),
    unit: Unit.nullable().optional(),
    low: Limit.nullable().optional(),
    high: Limit.nullable().optional(),
  })
  .openapi('MachineTagUpdate');
export type MachineTagUpdate = z.infer<typeof MachineTagUpdate>;
export const MachineTagQuery = PageQuery.extend({
  plantId: z.uuid().optional(),
  machineId: z.uuid().optional(),
  tag: z.string().max(200).optional(),
});

export interface MachineTagRow {
  id: string;
  plant_id: string;
  machine_id: string;
  tag: string;
  description: string;
  unit: string | null;
  low: number | null;
  high: number | null;
  created_at: Date;
  updated_at: Date;
}

export const toMachineTag = (row: MachineTagRow): MachineTag => ({
  id: row.id,
  plantId: row.plant_id,
  machineId: row.machine_id,
  tag: row.tag,
  description: row.description,
  unit: row.unit,
  low: row.low,
  high: row.high,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
