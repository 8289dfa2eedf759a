import type { Database } from '../../db/client.ts';
import type { Authorizer } from '../../http/authorize.ts';
import { crudRoutes } from '../crud/crud.routes.ts';
import {
  LabelTemplate,
  LabelTemplateCreate,
  LabelTemplateQuery,
  LabelTemplateUpdate,
  toLabelTemplate,
} from './label-templates.schema.ts';
import { labelTemplatesService } from './label-templates.service.ts';

export function labelTemplatesRoutes(deps: { db: Database; authorizer: Authorizer }) {
  return crudRoutes(deps, {
    path: '/api/v1/label-templates',
    tag: 'label-templates',
    noun: 'label template',
    nouns: 'label templates',
    read: 'labels:read',
    write: 'labels:write',
    schemas: {
      item: LabelTemplate,
      create: LabelTemplateCreate,
      update: LabelTemplateUpdate,
      query: LabelTemplateQuery,
    },
    toItem: toLabelTemplate,
    service: labelTemplatesService,
  });
}
