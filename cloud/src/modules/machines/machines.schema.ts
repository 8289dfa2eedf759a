import { z } from '@hono/zod-openapi';
import { LatestValue, type SampleValue } from '@unison/contracts';
import { PageQuery } from '../../http/pagination.ts';
import { Code, Name, Timestamp } from '../plants/plants.schema.ts';

export const Machine = z
  .object({
    id: z.uuid(),
    plantId: z.uuid(),
    lineId: z.uuid().nullable(),
    code: z.string(),
    name: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    latest: z.array(LatestValue),
  })
  .openapi('Machine');
export type Machine = z.infer<typeof Machine>;

export const MachineCreate = z
  .strictObject({ plantId: z.uuid(), lineId: z.uuid().nullable().optional(), code: Code, name: Name })
  .openapi('MachineCreate');
export const MachineUpdate = z
  .strictObject({ lineId: z.uuid().nullable().optional(), code: Code.optional(), name: Name.optional() })
  .openapi('MachineUpdate');
export const MachineQuery = PageQuery.extend({
  plantId: z.uuid().optional(),
  lineId: z.uuid().optional(),
  code: z.string().max(64).optional(),
});

export interface LatestJson {
  tag: string;
  num: number | null;
  text: string | null;
  bool: boolean | null;
  quality: 'good' | 'uncertain' | 'bad';
  ts: string;
}

export interface MachineRow {
  id: string;
  plant_id: string;
  line_id: string | null;
  code: string;
  name: string;
  created_at: Date;
  updated_at: Date;
  latest: LatestJson[];
}

export function storedValue(row: {
  num: number | null;
  text: string | null;
  bool: boolean | null;
}): SampleValue {
  if (row.num !== null) return row.num;
  if (row.text !== null) return row.text;
  return row.bool;
}

export const toMachine = (row: MachineRow): Machine => ({
  id: row.id,
  plantId: row.plant_id,
  lineId: row.line_id,
  code: row.code,
  name: row.name,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  latest: row.latest.map((latest) => ({
    tag: latest.tag,
    value: storedValue(latest),
    quality: latest.quality,
    ts: new Date(latest.ts).toISOString(),
  })),
});
