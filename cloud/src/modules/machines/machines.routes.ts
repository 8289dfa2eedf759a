import type { Database } from '../../db/client.ts';
import { type Authorizer, asCaller, readAsCaller } from '../../http/authorize.ts';
import { createRouter, jsonBody, jsonResponse, jsonText, problems } from '../../http/openapi.ts';
import { decodeCursor, encodeCursor, pageOf } from '../../http/pagination.ts';
import { IdParam } from '../plants/plants.schema.ts';
import { listMachines } from './machines.repository.ts';
import { Machine, MachineCreate, MachineQuery, MachineUpdate, toMachine } from './machines.schema.ts';
import { changeMachine, createMachine, getMachine, removeMachine } from './machines.service.ts';

const tags = ['machines'];

export function machinesRoutes({ db, authorizer }: { db: Database; authorizer: Authorizer }) {
  const { route } = authorizer;
  const list = route({
    method: 'get',
    path: '/api/v1/machines',
    tags,
    summary: 'Machines of the plants the caller can see, by code, with their latest values',
    'x-permission': 'machines:read',
    request: { query: MachineQuery },
    responses: { 200: jsonResponse(pageOf(Machine), 'A page of machines'), ...problems(401, 403, 422) },
  });
  const create = route({
    method: 'post',
    path: '/api/v1/machines',
    tags,
    summary: 'Create a machine in a plant, optionally on a line',
    'x-permission': 'machines:write',
    request: { body: jsonBody(MachineCreate) },
    responses: { 201: jsonResponse(Machine, 'The machine'), ...problems(400, 401, 403, 409, 413, 422) },
  });
  const get = route({
    method: 'get',
    path: '/api/v1/machines/{id}',
    tags,
    summary: 'One machine',
    'x-permission': 'machines:read',
    request: { params: IdParam },
    responses: { 200: jsonResponse(Machine, 'The machine'), ...problems(401, 403, 404, 422) },
  });
  const update = route({
    method: 'patch',
    path: '/api/v1/machines/{id}',
    tags,
    summary: "Change a machine's code or name, or move it to another line",
    'x-permission': 'machines:write',
    request: { params: IdParam, body: jsonBody(MachineUpdate) },
    responses: { 200: jsonResponse(Machine, 'The machine'), ...problems(400, 401, 403, 404, 409, 413, 422) },
  });
  const remove = route({
    method: 'delete',
    path: '/api/v1/machines/{id}',
    tags,
    summary: 'Delete a machine that has no recorded values',
    'x-permission': 'machines:write',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 409, 422) },
  });

  return createRouter()
    .openapi(list, async (c) => {
      const { cursor, limit, ...filters } = c.req.valid('query');
      const after = decodeCursor(cursor, 2);
      const page = await readAsCaller(c, db, (tx) => listMachines(tx, { ...filters, limit, after }));
      const nextCursor = page.nextKey ? JSON.stringify(encodeCursor(page.nextKey)) : 'null';
      const body = `{"items":${page.itemsJson},"nextCursor":${nextCursor}}`;
      return jsonText<{ items: Machine[]; nextCursor: string | null }, 200>(c, body, 200);
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const row = await asCaller(c, db, (tx) => createMachine(tx, c.get('access').organizationId, body));
      return c.json(toMachine(row), 201);
    })
    .openapi(get, async (c) => {
      const row = await asCaller(c, db, (tx) => getMachine(tx, c.req.valid('param').id));
      return c.json(toMachine(row), 200);
    })
    .openapi(update, async (c) => {
      const body = c.req.valid('json');
      const row = await asCaller(c, db, (tx) => changeMachine(tx, c.req.valid('param').id, body));
      return c.json(toMachine(row), 200);
    })
    .openapi(remove, async (c) => {
      await asCaller(c, db, (tx) => removeMachine(tx, c.req.valid('param').id));
      return c.body(null, 204);
    });
}
