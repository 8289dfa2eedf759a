import { uuidv7 } from 'uuidv7';
import { notFound } from '../../http/problem.ts';
import { missingParent } from '../areas/areas.service.ts';
import type { CrudService } from '../crud/crud.routes.ts';
import { findMachine } from '../machines/machines.repository.ts';
import { raise } from '../plants/plants.service.ts';
import { machineTags } from './machine-tags.repository.ts';
import type { MachineTagCreate, MachineTagRow, MachineTagUpdate } from './machine-tags.schema.ts';

export const machineTagsService: CrudService<MachineTagRow, MachineTagCreate, MachineTagUpdate> = {
  list: machineTags.list,
  create: async (tx, organizationId, { machineId, ...input }) => {
    const machine = await findMachine(tx, machineId);
    if (!machine) throw missingParent('machineId', 'machine');
    return machineTags.insert(tx, {
      id: uuidv7(),
      org_id: organizationId,
      plant_id: machine.plant_id,
      machine_id: machineId,
      ...input,
    });
  },
  get: async (tx, id) => (await machineTags.find(tx, id)) ?? raise(notFound('machine tag')),
  update: async (tx, id, patch) =>
    (await machineTags.update(tx, id, patch)) ?? raise(notFound('machine tag')),
  remove: async (tx, id) => {
    if (!(await machineTags.remove(tx, id))) throw notFound('machine tag');
  },
};
