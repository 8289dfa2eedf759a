import type { Database } from '../../db/client.ts';
import type { Authorizer } from '../../http/authorize.ts';
import { crudRoutes } from '../crud/crud.routes.ts';
import { Material, MaterialCreate, MaterialQuery, MaterialUpdate, toMaterial } from './materials.schema.ts';
import { materialsService } from './materials.service.ts';

/** Materials are organization-wide: every plant (and its edge) sees all of them. */
export function materialsRoutes(deps: { db: Database; authorizer: Authorizer }) {
  return crudRoutes(deps, {
    path: '/api/v1/materials',
    tag: 'materials',
    noun: 'material',
    nouns: 'materials',
    read: 'materials:read',
    write: 'materials:write',
    schemas: { item: Material, create: MaterialCreate, update: MaterialUpdate, query: MaterialQuery },
    toItem: toMaterial,
    service: materialsService,
  });
}
