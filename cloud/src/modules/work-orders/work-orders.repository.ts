import { tableRepository } from '../crud/crud.repository.ts';
import type { WorkOrderRow } from './work-orders.schema.ts';

export const workOrders = tableRepository<WorkOrderRow>({
  table: 'work_orders',
  columns: 'id, plant_id, number, material_id, machine_id, quantity, status, due_at, created_at, updated_at',
  filters: {
    plantId: 'plant_id',
    materialId: 'material_id',
    machineId: 'machine_id',
    status: 'status',
    number: 'number',
  },
});
