import type { Database } from '../../db/client.ts';
import { type Authorizer, asCaller } from '../../http/authorize.ts';
import { createRouter, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import { decodeCursor, pageOf, toPage } from '../../http/pagination.ts';
import { listPlants } from './plants.repository.ts';
import { IdParam, Plant, PlantCreate, PlantQuery, PlantUpdate, toPlant } from './plants.schema.ts';
import { changePlant, createPlant, getPlant, removePlant } from './plants.service.ts';

const tags = ['plants'];

export function plantsRoutes({ db, authorizer }: { db: Database; authorizer: Authorizer }) {
  const { route } = authorizer;
  const list = route({
    method: 'get',
    path: '/api/v1/plants',
    tags,
    summary: 'Plants the caller can see, by id',
    'x-permission': 'plants:read',
    request: { query: PlantQuery },
    responses: { 200: jsonResponse(pageOf(Plant), 'A page of plants'), ...problems(401, 403, 422) },
  });
  const create = route({
    method: 'post',
    path: '/api/v1/plants',
    tags,
    summary: 'Create a plant',
    'x-permission': 'plants:write',
    request: { body: jsonBody(PlantCreate) },
    responses: { 201: jsonResponse(Plant, 'The plant'), ...problems(400, 401, 403, 409, 413, 422) },
  });
  const get = route({
    method: 'get',
    path: '/api/v1/plants/{id}',
    tags,
    summary: 'One plant',
    'x-permission': 'plants:read',
    request: { params: IdParam },
    responses: { 200: jsonResponse(Plant, 'The plant'), ...problems(401, 403, 404, 422) },
  });
  const update = route({
    method: 'patch',
    path: '/api/v1/plants/{id}',
    tags,
    summary: "Change a plant's code or name",
    'x-permission': 'plants:write',
    request: { params: IdParam, body: jsonBody(PlantUpdate) },
    responses: { 200: jsonResponse(Plant, 'The plant'), ...problems(400, 401, 403, 404, 409, 413, 422) },
  });
  const remove = route({
    method: 'delete',
    path: '/api/v1/plants/{id}',
    tags,
    summary: 'Delete a plant that nothing refers to',
    'x-permission': 'plants:write',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 409, 422) },
  });

  return createRouter()
    .openapi(list, async (c) => {
      const { cursor, limit, ...filters } = c.req.valid('query');
      const rows = await asCaller(c, db, (tx) =>
        listPlants(tx, { ...filters, limit, after: decodeCursor(cursor, 1) }),
      );
      return c.json(
        toPage(rows, limit, (row) => [row.id], toPlant),
        200,
      );
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const row = await asCaller(c, db, (tx) => createPlant(tx, c.get('access'), body));
      return c.json(toPlant(row), 201);
    })
    .openapi(get, async (c) => {
      const row = await asCaller(c, db, (tx) => getPlant(tx, c.req.valid('param').id));
      return c.json(toPlant(row), 200);
    })
    .openapi(update, async (c) => {
      const body = c.req.valid('json');
      const row = await asCaller(c, db, (tx) => changePlant(tx, c.req.valid('param').id, body));
      return c.json(toPlant(row), 200);
    })
    .openapi(remove, async (c) => {
      await asCaller(c, db, (tx) => removePlant(tx, c.req.valid('param').id));
      return c.body(null, 204);
    });
}
