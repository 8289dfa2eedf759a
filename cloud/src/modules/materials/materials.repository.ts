import { tableRepository } from '../crud/crud.repository.ts';
import type { MaterialRow } from './materials.schema.ts';

export const materials = tableRepository<MaterialRow>({
  table: 'materials',
  columns: 'id, code, name, unit, created_at, updated_at',
  filters: { code: 'code' },
});
