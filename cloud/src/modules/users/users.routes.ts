import type { Database } from '../../db/client.ts';
import { type Authorizer, asCaller } from '../../http/authorize.ts';
import { createRouter, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import { decodeCursor, pageOf, toPage } from '../../http/pagination.ts';
import { IdParam } from '../plants/plants.schema.ts';
import { listUsers } from './users.repository.ts';
import { CreatedUser, toUser, User, UserCreate, UserQuery, UserUpdate } from './users.schema.ts';
import { changeUser, createUser, deactivate, getUser } from './users.service.ts';

const tags = ['users'];

export function usersRoutes({ db, authorizer }: { db: Database; authorizer: Authorizer }) {
  const { route } = authorizer;
  const list = route({
    method: 'get',
    path: '/api/v1/users',
    tags,
    summary: "The organization's users, by id",
    'x-permission': 'users:read',
    request: { query: UserQuery },
    responses: { 200: jsonResponse(pageOf(User), 'A page of users'), ...problems(401, 403, 422) },
  });
  const create = route({
    method: 'post',
    path: '/api/v1/users',
    tags,
    summary: 'Create a user with roles and plant access; the generated password is shown once',
    'x-permission': 'users:admin',
    request: { body: jsonBody(UserCreate) },
    responses: {
      201: jsonResponse(CreatedUser, 'The user and its password'),
      ...problems(400, 401, 403, 409, 413, 422),
    },
  });
  const get = route({
    method: 'get',
    path: '/api/v1/users/{id}',
    tags,
    summary: 'One user',
    'x-permission': 'users:read',
    request: { params: IdParam },
    responses: { 200: jsonResponse(User, 'The user'), ...problems(401, 403, 404, 422) },
  });
  const update = route({
    method: 'patch',
    path: '/api/v1/users/{id}',
    tags,
    summary: "Change a user's name, roles or plant access",
    'x-permission': 'users:admin',
    request: { params: IdParam, body: jsonBody(UserUpdate) },
    responses: { 200: jsonResponse(User, 'The user'), ...problems(400, 401, 403, 404, 413, 422) },
  });
  const remove = route({
    method: 'delete',
    path: '/api/v1/users/{id}',
    tags,
    summary: 'Deactivate a user: its tokens stop working at their next request',
    'x-permission': 'users:admin',
    request: { params: IdParam },
    responses: { 200: jsonResponse(User, 'The deactivated user'), ...problems(401, 403, 404, 409, 422) },
  });

  return createRouter()
    .openapi(list, async (c) => {
      const { cursor, limit, email, active } = c.req.valid('query');
      const after = decodeCursor(cursor, 1);
      const query = { email, active: active === undefined ? undefined : active === 'true', limit, after };
      const rows = await asCaller(c, db, (tx) => listUsers(tx, query));
      return c.json(
        toPage(rows, limit, (row) => [row.id], toUser),
        200,
      );
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const { row, password } = await asCaller(c, db, (tx) => createUser(tx, c.get('access'), body));
      return c.json({ ...toUser(row), password }, 201);
    })
    .openapi(get, async (c) => {
      const row = await asCaller(c, db, (tx) => getUser(tx, c.req.valid('param').id));
      return c.json(toUser(row), 200);
    })
    .openapi(update, async (c) => {
      const body = c.req.valid('json');
      const row = await asCaller(c, db, (tx) =>
        changeUser(tx, c.get('access'), c.req.valid('param').id, body),
      );
      return c.json(toUser(row), 200);
    })
    .openapi(remove, async (c) => {
      const row = await asCaller(c, db, (tx) => deactivate(tx, c.get('access'), c.req.valid('param').id));
      return c.json(toUser(row), 200);
    });
}
