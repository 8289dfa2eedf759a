import type { Database } from '../../db/client.ts';
import { type Authorizer, asCaller } from '../../http/authorize.ts';
import { createRouter, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import { decodeCursor, pageOf, toPage } from '../../http/pagination.ts';
import { IdParam } from '../plants/plants.schema.ts';
import { listAreas } from './areas.repository.ts';
import { Area, AreaCreate, AreaQuery, AreaUpdate, toArea } from './areas.schema.ts';
import { changeArea, createArea, getArea, removeArea } from './areas.service.ts';

const tags = ['areas'];

export function areasRoutes({ db, authorizer }: { db: Database; authorizer: Authorizer }) {
  const { route } = authorizer;
  const list = route({
    method: 'get',
    path: '/api/v1/areas',
    tags,
    summary: 'Areas of the plants the caller can see, by id',
    'x-permission': 'areas:read',
    request: { query: AreaQuery },
    responses: { 200: jsonResponse(pageOf(Area), 'A page of areas'), ...problems(401, 403, 422) },
  });
  const create = route({
    method: 'post',
    path: '/api/v1/areas',
    tags,
    summary: 'Create an area in a plant',
    'x-permission': 'areas:write',
    request: { body: jsonBody(AreaCreate) },
    responses: { 201: jsonResponse(Area, 'The area'), ...problems(400, 401, 403, 409, 413, 422) },
  });
  const get = route({
    method: 'get',
    path: '/api/v1/areas/{id}',
    tags,
    summary: 'One area',
    'x-permission': 'areas:read',
    request: { params: IdParam },
    responses: { 200: jsonResponse(Area, 'The area'), ...problems(401, 403, 404, 422) },
  });
  const update = route({
    method: 'patch',
    path: '/api/v1/areas/{id}',
    tags,
    summary: "Change an area's code or name",
    'x-permission': 'areas:write',
    request: { params: IdParam, body: jsonBody(AreaUpdate) },
    responses: { 200: jsonResponse(Area, 'The area'), ...problems(400, 401, 403, 404, 409, 413, 422) },
  });
  const remove = route({
    method: 'delete',
    path: '/api/v1/areas/{id}',
    tags,
    summary: 'Delete an area without lines',
    'x-permission': 'areas:write',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 409, 422) },
  });

  return createRouter()
    .openapi(list, async (c) => {
      const { cursor, limit, ...filters } = c.req.valid('query');
      const after = decodeCursor(cursor, 1);
      const rows = await asCaller(c, db, (tx) => listAreas(tx, { ...filters, limit, after }));
      return c.json(
        toPage(rows, limit, (row) => [row.id], toArea),
        200,
      );
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const row = await asCaller(c, db, (tx) => createArea(tx, c.get('access').organizationId, body));
      return c.json(toArea(row), 201);
    })
    .openapi(get, async (c) => {
      const row = await asCaller(c, db, (tx) => getArea(tx, c.req.valid('param').id));
      return c.json(toArea(row), 200);
    })
    .openapi(update, async (c) => {
      const body = c.req.valid('json');
      const row = await asCaller(c, db, (tx) => changeArea(tx, c.req.valid('param').id, body));
      return c.json(toArea(row), 200);
    })
    .openapi(remove, async (c) => {
      await asCaller(c, db, (tx) => removeArea(tx, c.req.valid('param').id));
      return c.body(null, 204);
    });
}
