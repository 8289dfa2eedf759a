import type { Database } from '../../db/client.ts';
import type { Authorizer } from '../../http/authorize.ts';
import { crudRoutes } from '../crud/crud.routes.ts';
import {
  toWorkOrder,
  WorkOrder,
  WorkOrderCreate,
  WorkOrderQuery,
  WorkOrderUpdate,
} from './work-orders.schema.ts';
import { workOrdersService } from './work-orders.service.ts';

export function workOrdersRoutes(deps: { db: Database; authorizer: Authorizer }) {
  return crudRoutes(deps, {
    path: '/api/v1/work-orders',
    tag: 'work-orders',
    noun: 'work order',
    nouns: 'work orders',
    read: 'workorders:read',
    write: 'workorders:write',
    schemas: { item: WorkOrder, create: WorkOrderCreate, update: WorkOrderUpdate, query: WorkOrderQuery },
    toItem: toWorkOrder,
    service: workOrdersService,
  });
}
