import { z } from '@hono/zod-openapi';
import { WORK_ORDER_STATUSES } from '@unison/contracts';
import { PageQuery } from '../../http/pagination.ts';
import { Timestamp } from '../plants/plants.schema.ts';

const OrderNumber = z.string().trim().min(1).max(64);
const Quantity = z.number().finite().positive();
const Status = z.enum(WORK_ORDER_STATUSES);

export const WorkOrder = z
  .object({
    id: z.uuid(),
    plantId: z.uuid(),
    number: z.string(),
    materialId: z.uuid(),
    machineId: z.uuid().nullable(),
    quantity: z.number(),
    status: Status,
    dueAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('WorkOrder');
export type WorkOrder = z.infer<typeof WorkOrder>;

export const WorkOrderCreate = z
  .strictObject({
    plantId: z.uuid(),
    number: OrderNumber,
    materialId: z.uuid(),
    machineId: z.uuid().nullable().optional(),
    quantity: Quantity,
    status: Status.optional(),
    dueAt: Timestamp.nullable().optional(),
  })
  .openapi('WorkOrderCreate');
export type WorkOrderCreate = z.infer<typeof WorkOrderCreate>;
export const WorkOrderUpdate = z
  .strictObject({
    number: OrderNumber.optional(),
    materialId: z.uuid().optional(),
    machineId: z.uuid().nullable().optional(),
    quantity: Quantity.optional(),
    status: Status.optional(),
    dueAt: Timestamp.nullable().optional(),
  })
  .openapi('WorkOrderUpdate');
export type WorkOrderUpdate = z.infer<typeof WorkOrderUpdate>;
export const WorkOrderQuery = PageQuery.extend({
  plantId: z.uuid().optional(),
  materialId: z.uuid().optional(),
  machineId: z.uuid().optional(),
  status: Status.optional(),
  number: z.string().max(64).optional(),
});

export interface WorkOrderRow {
  id: string;
  plant_id: string;
  number: string;
  material_id: string;
  machine_id: string | null;
  quantity: number;
  status: WorkOrder['status'];
  due_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const toWorkOrder = (row: WorkOrderRow): WorkOrder => ({
  id: row.id,
  plantId: row.plant_id,
  number: row.number,
  materialId: row.material_id,
  machineId: row.machine_id,
  quantity: row.quantity,
  status: row.status,
  dueAt: row.due_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
