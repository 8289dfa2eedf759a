import { uuidv7 } from 'uuidv7';
import { notFound } from '../../http/problem.ts';
import { missingParent } from '../areas/areas.service.ts';
import type { CrudService } from '../crud/crud.routes.ts';
import { findPlant } from '../plants/plants.repository.ts';
import { raise } from '../plants/plants.service.ts';
import { labelTemplates } from './label-templates.repository.ts';
import type { LabelTemplateCreate, LabelTemplateRow, LabelTemplateUpdate } from './label-templates.schema.ts';

// Printed labels name the revision they were printed from, so new ZPL is a new revision.
const NEXT_REVISION = 'revision = revision + 1';

export const labelTemplatesService: CrudService<LabelTemplateRow, LabelTemplateCreate, LabelTemplateUpdate> =
  {
    list: labelTemplates.list,
    create: async (tx, organizationId, { plantId, ...input }) => {
      if (!(await findPlant(tx, plantId))) throw missingParent('plantId', 'plant');
      return labelTemplates.insert(tx, { id: uuidv7(), org_id: organizationId, plant_id: plantId, ...input });
    },
    get: async (tx, id) => (await labelTemplates.find(tx, id)) ?? raise(notFound('label template')),
    update: async (tx, id, patch) => {
      const current = await labelTemplates.find(tx, id);
      if (!current) throw notFound('label template');
      const changesZpl = patch.zpl !== undefined && patch.zpl !== current.zpl;
      return (
        (await labelTemplates.update(tx, id, patch, changesZpl ? [NEXT_REVISION] : [])) ??
        raise(notFound('label template'))
      );
    },
    remove: async (tx, id) => {
      if (!(await labelTemplates.remove(tx, id))) throw notFound('label template');
    },
  };
