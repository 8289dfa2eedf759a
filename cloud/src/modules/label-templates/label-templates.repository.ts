import { tableRepository } from '../crud/crud.repository.ts';
import type { LabelTemplateRow } from './label-templates.schema.ts';

export const labelTemplates = tableRepository<LabelTemplateRow>({
  table: 'label_templates',
  columns: 'id, plant_id, code, name, zpl, revision, created_at, updated_at',
  filters: { plantId: 'plant_id', code: 'code' },
});
