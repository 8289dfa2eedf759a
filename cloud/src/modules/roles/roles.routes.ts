import type { Database } from '../../db/client.ts';
import { type Authorizer, asCaller } from '../../http/authorize.ts';
import { createRouter, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import { decodeCursor, pageOf, toPage } from '../../http/pagination.ts';
import { IdParam } from '../plants/plants.schema.ts';
import { PERMISSIONS } from './permissions.ts';
import { listRoles } from './roles.repository.ts';
import { PermissionList, Role, RoleCreate, RoleQuery, RoleUpdate, toRole } from './roles.schema.ts';
import { changeRole, createRole, getRole, removeRole } from './roles.service.ts';

const tags = ['roles'];

export function rolesRoutes({ db, authorizer }: { db: Database; authorizer: Authorizer }) {
  const { route } = authorizer;
  const permissions = route({
    method: 'get',
    path: '/api/v1/permissions',
    tags,
    summary: 'Every permission a role can hold',
    'x-permission': 'roles:read',
    responses: { 200: jsonResponse(PermissionList, 'The permissions'), ...problems(401, 403) },
  });
  const list = route({
    method: 'get',
    path: '/api/v1/roles',
    tags,
    summary: 'Built-in roles, then the organization’s custom roles',
    'x-permission': 'roles:read',
    request: { query: RoleQuery },
    responses: { 200: jsonResponse(pageOf(Role), 'A page of roles'), ...problems(401, 403, 422) },
  });
  const create = route({
    method: 'post',
    path: '/api/v1/roles',
    tags,
    summary: 'Create a custom role',
    'x-permission': 'roles:admin',
    request: { body: jsonBody(RoleCreate) },
    responses: { 201: jsonResponse(Role, 'The role'), ...problems(400, 401, 403, 409, 413, 422) },
  });
  const get = route({
    method: 'get',
    path: '/api/v1/roles/{id}',
    tags,
    summary: 'One role',
    'x-permission': 'roles:read',
    request: { params: IdParam },
    responses: { 200: jsonResponse(Role, 'The role'), ...problems(401, 403, 404, 422) },
  });
  const update = route({
    method: 'patch',
    path: '/api/v1/roles/{id}',
    tags,
    summary: 'Change a custom role (built-in roles are read-only)',
    'x-permission': 'roles:admin',
    request: { params: IdParam, body: jsonBody(RoleUpdate) },
    responses: { 200: jsonResponse(Role, 'The role'), ...problems(400, 401, 403, 404, 413, 422) },
  });
  const remove = route({
    method: 'delete',
    path: '/api/v1/roles/{id}',
    tags,
    summary: 'Delete a custom role no one holds',
    'x-permission': 'roles:admin',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 409, 422) },
  });

  return createRouter()
    .openapi(permissions, (c) => c.json({ items: [...PERMISSIONS] }, 200))
    .openapi(list, async (c) => {
      const { cursor, limit, key } = c.req.valid('query');
      const after = decodeCursor(cursor, 2);
      const rows = await asCaller(c, db, (tx) => listRoles(tx, { key, limit, after }));
      return c.json(
        toPage(rows, limit, (row) => [row.org_id === null ? 0 : 1, row.id], toRole),
        200,
      );
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const row = await asCaller(c, db, (tx) => createRole(tx, c.get('access'), body));
      return c.json(toRole(row), 201);
    })
    .openapi(get, async (c) => {
      const row = await asCaller(c, db, (tx) => getRole(tx, c.req.valid('param').id));
      return c.json(toRole(row), 200);
    })
    .openapi(update, async (c) => {
      const body = c.req.valid('json');
      const row = await asCaller(c, db, (tx) =>
        changeRole(tx, c.get('access'), c.req.valid('param').id, body),
      );
      return c.json(toRole(row), 200);
    })
    .openapi(remove, async (c) => {
      await asCaller(c, db, (tx) => removeRole(tx, c.req.valid('param').id));
      return c.body(null, 204);
    });
}
