import type { Database } from '../../db/client.ts';
import type { Authorizer } from '../../http/authorize.ts';
import { crudRoutes } from '../crud/crud.routes.ts';
import {
  MachineTag,
  MachineTagCreate,
  MachineTagQuery,
  MachineTagUpdate,
  toMachineTag,
} from './machine-tags.schema.ts';
import { machineTagsService } from './machine-tags.service.ts';

/** A machine's tags as supervisors read them (unit, limits); part of the machine's configuration. */
export function machineTagsRoutes(deps: { db: Database; authorizer: Authorizer }) {
  return crudRoutes(deps, {
    path: '/api/v1/machine-tags',
    tag: 'machine-tags',
    noun: 'machine tag',
    nouns: 'machine tags',
    read: 'machines:read',
    write: 'machines:write',
    schemas: { item: MachineTag, create: MachineTagCreate, update: MachineTagUpdate, query: MachineTagQuery },
    toItem: toMachineTag,
    service: machineTagsService,
  });
}
