import { uuidv7 } from 'uuidv7';
import type { SqlSession } from '../../db/client.ts';
import { notFound, ProblemError } from '../../http/problem.ts';
import { missingParent } from '../areas/areas.service.ts';
import type { CrudService } from '../crud/crud.routes.ts';
import { findMachine } from '../machines/machines.repository.ts';
import { findMaterial } from '../materials/materials.service.ts';
import { findPlant } from '../plants/plants.repository.ts';
import { raise } from '../plants/plants.service.ts';
import { workOrders } from './work-orders.repository.ts';
import type { WorkOrderCreate, WorkOrderRow, WorkOrderUpdate } from './work-orders.schema.ts';

async function checkMaterial(tx: SqlSession, materialId: string | undefined) {
  if (materialId && !(await findMaterial(tx, materialId))) throw missingParent('materialId', 'material');
}

async function checkMachine(tx: SqlSession, plantId: string, machineId: string | null | undefined) {
  if (!machineId) return;
  const machine = await findMachine(tx, machineId);
  if (!machine) throw missingParent('machineId', 'machine');
  if (machine.plant_id !== plantId) {
    throw new ProblemError(422, 'Unprocessable Content', 'the machine belongs to another plant', {
      errors: [{ path: 'machineId', message: "the machine is not in the work order's plant" }],
    });
  }
}

const columns = (input: WorkOrderUpdate) => ({
  number: input.number,
  material_id: input.materialId,
  machine_id: input.machineId,
  quantity: input.quantity,
  status: input.status,
  due_at: input.dueAt,
});

const getWorkOrder = async (tx: SqlSession, id: string) =>
  (await workOrders.find(tx, id)) ?? raise(notFound('work order'));

export const workOrdersService: CrudService<WorkOrderRow, WorkOrderCreate, WorkOrderUpdate> = {
  list: workOrders.list,
  create: async (tx, organizationId, { plantId, ...input }) => {
    if (!(await findPlant(tx, plantId))) throw missingParent('plantId', 'plant');
    await checkMaterial(tx, input.materialId);
    await checkMachine(tx, plantId, input.machineId);
    return workOrders.insert(tx, {
      id: uuidv7(),
      org_id: organizationId,
      plant_id: plantId,
      ...columns(input),
    });
  },
  get: getWorkOrder,
  update: async (tx, id, patch) => {
    const order = await getWorkOrder(tx, id);
    await checkMaterial(tx, patch.materialId);
    await checkMachine(tx, order.plant_id, patch.machineId);
    return (await workOrders.update(tx, id, columns(patch))) ?? raise(notFound('work order'));
  },
  remove: async (tx, id) => {
    if (!(await workOrders.remove(tx, id))) throw notFound('work order');
  },
};
