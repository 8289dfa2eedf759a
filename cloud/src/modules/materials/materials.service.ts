import { uuidv7 } from 'uuidv7';
import type { SqlSession } from '../../db/client.ts';
import { notFound } from '../../http/problem.ts';
import type { CrudService } from '../crud/crud.routes.ts';
import { raise } from '../plants/plants.service.ts';
import { materials } from './materials.repository.ts';
import type { MaterialCreate, MaterialRow, MaterialUpdate } from './materials.schema.ts';

export const materialsService: CrudService<MaterialRow, MaterialCreate, MaterialUpdate> = {
  list: materials.list,
  create: (tx, organizationId, input) =>
    materials.insert(tx, { id: uuidv7(), org_id: organizationId, ...input }),
  get: async (tx, id) => (await materials.find(tx, id)) ?? raise(notFound('material')),
  update: async (tx, id, patch) => (await materials.update(tx, id, patch)) ?? raise(notFound('material')),
  remove: async (tx, id) => {
    if (!(await materials.remove(tx, id))) throw notFound('material');
  },
};

export const findMaterial = (tx: SqlSession, id: string) => materials.find(tx, id);
