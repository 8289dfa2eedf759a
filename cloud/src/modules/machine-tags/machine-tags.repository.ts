import { tableRepository } from '../crud/crud.repository.ts';
import type { MachineTagRow } from './machine-tags.schema.ts';

export const machineTags = tableRepository<MachineTagRow>({
  table: 'machine_tags',
  columns: 'id, plant_id, machine_id, tag, description, unit, low, high, created_at, updated_at',
  filters: { plantId: 'plant_id', machineId: 'machine_id', tag: 'tag' },
});
