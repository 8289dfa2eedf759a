import type { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Database, SqlSession } from '../../db/client.ts';
import { type Authorizer, asCaller } from '../../http/authorize.ts';
import type { AppEnv } from '../../http/env.ts';
import { createRouter, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import { decodeCursor, pageOf, toPage } from '../../http/pagination.ts';
import { IdParam } from '../plants/plants.schema.ts';
import type { Permission } from '../roles/permissions.ts';
import type { ListQuery } from './crud.repository.ts';

/** The rules of one collection; each call runs inside the caller's tenant transaction. */
export interface CrudService<Row, Create, Update> {
  list(tx: SqlSession, query: ListQuery): Promise<Row[]>;
  create(tx: SqlSession, organizationId: string, input: Create): Promise<Row>;
  /** Throws 404 when the caller cannot see the row. */
  get(tx: SqlSession, id: string): Promise<Row>;
  update(tx: SqlSession, id: string, patch: Update): Promise<Row>;
  remove(tx: SqlSession, id: string): Promise<void>;
}

export interface CrudSpec<Row extends { id: string }, Create, Update> {
  /** The collection path, e.g. `/api/v1/materials`; items live at `{path}/{id}`. */
  path: string;
  tag: string;
  /** Singular and plural nouns for the summaries. */
  noun: string;
  nouns: string;
  read: Permission;
  write: Permission;
  schemas: {
    item: z.ZodType;
    create: z.ZodType<Create>;
    update: z.ZodType<Update>;
    /** PageQuery extended with the collection's filters. */
    query: z.ZodObject;
  };
  toItem(row: Row): unknown;
  service: CrudService<Row, Create, Update>;
}

interface Valid {
  query: { cursor?: string; limit: number } & Record<string, unknown>;
  json: unknown;
  param: { id: string };
}
const valid = <K extends keyof Valid>(c: Context<AppEnv>, target: K) =>
  (c.req.valid as (target: K) => Valid[K])(target);

/** List, create, read, update and delete routes of one collection, each guarded by its permission. */
export function crudRoutes<Row extends { id: string }, Create, Update>(
  { db, authorizer }: { db: Database; authorizer: Authorizer },
  spec: CrudSpec<Row, Create, Update>,
) {
  const { route } = authorizer;
  const { path, noun, nouns, schemas, service, toItem } = spec;
  const tags = [spec.tag];
  const item = `${path}/{id}`;
  const list = route({
    method: 'get',
    path,
    tags,
    summary: `${capitalize(nouns)} the caller can see, by id`,
    'x-permission': spec.read,
    request: { query: schemas.query },
    responses: { 200: jsonResponse(pageOf(schemas.item), `A page of ${nouns}`), ...problems(401, 403, 422) },
  });
  const create = route({
    method: 'post',
    path,
    tags,
    summary: `Create a ${noun}`,
    'x-permission': spec.write,
    request: { body: jsonBody(schemas.create) },
    responses: {
      201: jsonResponse(schemas.item, `The ${noun}`),
      ...problems(400, 401, 403, 409, 413, 422),
    },
  });
  const get = route({
    method: 'get',
    path: item,
    tags,
    summary: `One ${noun}`,
    'x-permission': spec.read,
    request: { params: IdParam },
    responses: { 200: jsonResponse(schemas.item, `The ${noun}`), ...problems(401, 403, 404, 422) },
  });
  const update = route({
    method: 'patch',
    path: item,
    tags,
    summary: `Change a ${noun}`,
    'x-permission': spec.write,
    request: { params: IdParam, body: jsonBody(schemas.update) },
    responses: {
      200: jsonResponse(schemas.item, `The ${noun}`),
      ...problems(400, 401, 403, 404, 409, 413, 422),
    },
  });
  const remove = route({
    method: 'delete',
    path: item,
    tags,
    summary: `Delete a ${noun}`,
    'x-permission': spec.write,
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 409, 422) },
  });

  const router = createRouter();
  const handle = router.openapi as (config: unknown, handler: (c: Context<AppEnv>) => unknown) => void;
  handle.call(router, list, async (c) => {
    const { cursor, limit, ...filters } = valid(c, 'query');
    const after = decodeCursor(cursor, 1);
    const rows = await asCaller(c, db, (tx) => service.list(tx, { ...filters, limit, after }));
    return c.json(
      toPage(rows, limit, (row) => [row.id], toItem),
      200,
    );
  });
  handle.call(router, create, async (c) => {
    const input = valid(c, 'json') as Create;
    const row = await asCaller(c, db, (tx) => service.create(tx, c.get('access').organizationId, input));
    return c.json(toItem(row), 201);
  });
  handle.call(router, get, async (c) => {
    const row = await asCaller(c, db, (tx) => service.get(tx, valid(c, 'param').id));
    return c.json(toItem(row), 200);
  });
  handle.call(router, update, async (c) => {
    const patch = valid(c, 'json') as Update;
    const row = await asCaller(c, db, (tx) => service.update(tx, valid(c, 'param').id, patch));
    return c.json(toItem(row), 200);
  });
  handle.call(router, remove, async (c) => {
    await asCaller(c, db, (tx) => service.remove(tx, valid(c, 'param').id));
    return c.body(null, 204);
  });
  return router;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
