import type { Database } from '../../db/client.ts';
import { type Authorizer, asCaller } from '../../http/authorize.ts';
import { createRouter, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import { decodeCursor, pageOf, toPage } from '../../http/pagination.ts';
import { IdParam } from '../plants/plants.schema.ts';
import { listLines } from './lines.repository.ts';
import { Line, LineCreate, LineQuery, LineUpdate, toLine } from './lines.schema.ts';
import { changeLine, createLine, getLine, removeLine } from './lines.service.ts';

const tags = ['lines'];

export function linesRoutes({ db, authorizer }: { db: Database; authorizer: Authorizer }) {
  const { route } = authorizer;
  const list = route({
    method: 'get',
    path: '/api/v1/lines',
    tags,
    summary: 'Lines of the plants the caller can see, by id',
    'x-permission': 'lines:read',
    request: { query: LineQuery },
    responses: { 200: jsonResponse(pageOf(Line), 'A page of lines'), ...problems(401, 403, 422) },
  });
  const create = route({
    method: 'post',
    path: '/api/v1/lines',
    tags,
    summary: 'Create a line in an area',
    'x-permission': 'lines:write',
    request: { body: jsonBody(LineCreate) },
    responses: { 201: jsonResponse(Line, 'The line'), ...problems(400, 401, 403, 409, 413, 422) },
  });
  const get = route({
    method: 'get',
    path: '/api/v1/lines/{id}',
    tags,
    summary: 'One line',
    'x-permission': 'lines:read',
    request: { params: IdParam },
    responses: { 200: jsonResponse(Line, 'The line'), ...problems(401, 403, 404, 422) },
  });
  const update = route({
    method: 'patch',
    path: '/api/v1/lines/{id}',
    tags,
    summary: "Change a line's code or name",
    'x-permission': 'lines:write',
    request: { params: IdParam, body: jsonBody(LineUpdate) },
    responses: { 200: jsonResponse(Line, 'The line'), ...problems(400, 401, 403, 404, 409, 413, 422) },
  });
  const remove = route({
    method: 'delete',
    path: '/api/v1/lines/{id}',
    tags,
    summary: 'Delete a line no machine is placed on',
    'x-permission': 'lines:write',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 409, 422) },
  });

  return createRouter()
    .openapi(list, async (c) => {
      const { cursor, limit, ...filters } = c.req.valid('query');
      const after = decodeCursor(cursor, 1);
      const rows = await asCaller(c, db, (tx) => listLines(tx, { ...filters, limit, after }));
      return c.json(
        toPage(rows, limit, (row) => [row.id], toLine),
        200,
      );
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const row = await asCaller(c, db, (tx) => createLine(tx, c.get('access').organizationId, body));
      return c.json(toLine(row), 201);
    })
    .openapi(get, async (c) => {
      const row = await asCaller(c, db, (tx) => getLine(tx, c.req.valid('param').id));
      return c.json(toLine(row), 200);
    })
    .openapi(update, async (c) => {
      const body = c.req.valid('json');
      const row = await asCaller(c, db, (tx) => changeLine(tx, c.req.valid('param').id, body));
      return c.json(toLine(row), 200);
    })
    .openapi(remove, async (c) => {
      await asCaller(c, db, (tx) => removeLine(tx, c.req.valid('param').id));
      return c.body(null, 204);
    });
}
