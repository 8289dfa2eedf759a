import type { Database } from '../../db/client.ts';
import { type Authorizer, asCaller } from '../../http/authorize.ts';
import { createRouter, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import { decodeCursor, pageOf, toPage } from '../../http/pagination.ts';
import { notFound } from '../../http/problem.ts';
import { IdParam } from '../plants/plants.schema.ts';
import { raise } from '../plants/plants.service.ts';
import { findOrganization, listOrganizations, updateOrganization } from './organizations.repository.ts';
import {
  Organization,
  OrganizationQuery,
  OrganizationUpdate,
  toOrganization,
} from './organizations.schema.ts';

const tags = ['organizations'];

export function organizationsRoutes({ db, authorizer }: { db: Database; authorizer: Authorizer }) {
  const { route } = authorizer;
  const list = route({
    method: 'get',
    path: '/api/v1/organizations',
    tags,
    summary: "The caller's own organization, as a one-item page",
    'x-permission': 'organizations:read',
    request: { query: OrganizationQuery },
    responses: {
      200: jsonResponse(pageOf(Organization), 'A page of organizations'),
      ...problems(401, 403, 422),
    },
  });
  const get = route({
    method: 'get',
    path: '/api/v1/organizations/{id}',
    tags,
    summary: "The caller's organization",
    'x-permission': 'organizations:read',
    request: { params: IdParam },
    responses: { 200: jsonResponse(Organization, 'The organization'), ...problems(401, 403, 404, 422) },
  });
  const update = route({
    method: 'patch',
    path: '/api/v1/organizations/{id}',
    tags,
    summary: "Rename the caller's organization",
    'x-permission': 'organizations:write',
    request: { params: IdParam, body: jsonBody(OrganizationUpdate) },
    responses: {
      200: jsonResponse(Organization, 'The organization'),
      ...problems(400, 401, 403, 404, 413, 422),
    },
  });

  return createRouter()
    .openapi(list, async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const after = decodeCursor(cursor, 1);
      const rows = await asCaller(c, db, (tx) => listOrganizations(tx, { limit, after }));
      return c.json(
        toPage(rows, limit, (row) => [row.id], toOrganization),
        200,
      );
    })
    .openapi(get, async (c) => {
      const id = c.req.valid('param').id;
      const row = await asCaller(
        c,
        db,
        async (tx) => (await findOrganization(tx, id)) ?? raise(notFound('organization')),
      );
      return c.json(toOrganization(row), 200);
    })
    .openapi(update, async (c) => {
      const id = c.req.valid('param').id;
      const body = c.req.valid('json');
      const row = await asCaller(
        c,
        db,
        async (tx) => (await updateOrganization(tx, id, body)) ?? raise(notFound('organization')),
      );
      return c.json(toOrganization(row), 200);
    });
}
