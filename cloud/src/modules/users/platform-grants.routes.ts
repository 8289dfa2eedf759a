import { z } from '@hono/zod-openapi';
import { uuidv7 } from 'uuidv7';
import type { Database } from '../../db/client.ts';
import { type Authorizer, asCaller } from '../../http/authorize.ts';
import { createRouter, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../http/pagination.ts';
import { notFound, ProblemError } from '../../http/problem.ts';
import { findPlatformAdminId } from '../organizations/platform.repository.ts';
import { IdParam, Timestamp } from '../plants/plants.schema.ts';
import { deleteGrant, type GrantRow, insertGrant, listGrants } from './platform-grants.repository.ts';
import { visibleRoles } from './users.repository.ts';

const tags = ['users'];
const MAX_GRANT_HOURS = 24 * 30;

const Grant = z
  .object({
    id: z.uuid(),
    platformAdminId: z.uuid(),
    roleId: z.uuid(),
    createdAt: Timestamp,
    expiresAt: Timestamp,
  })
  .openapi('PlatformGrant');
const GrantCreate = z
  .strictObject({
    platformAdminEmail: z.email().max(320),
    roleId: z.uuid(),
    hours: z.number().int().min(1).max(MAX_GRANT_HOURS).default(24),
  })
  .openapi('PlatformGrantCreate');

const toGrant = (row: GrantRow) => ({
  id: row.id,
  platformAdminId: row.platform_admin_id,
  roleId: row.role_id,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});

/** An organization's consent for one platform operator to act inside it, with one role, for a while. */
export function platformGrantsRoutes({ db, authorizer }: { db: Database; authorizer: Authorizer }) {
  const { route } = authorizer;
  const list = route({
    method: 'get',
    path: '/api/v1/platform-grants',
    tags,
    summary: 'Platform operators this organization lets in',
    'x-permission': 'users:admin',
    request: { query: PageQuery },
    responses: { 200: jsonResponse(pageOf(Grant), 'A page of grants'), ...problems(401, 403, 422) },
  });
  const create = route({
    method: 'post',
    path: '/api/v1/platform-grants',
    tags,
    summary: 'Let a platform operator act in this organization with one role, for some hours',
    'x-permission': 'users:admin',
    request: { body: jsonBody(GrantCreate) },
    responses: { 201: jsonResponse(Grant, 'The grant'), ...problems(400, 401, 403, 409, 413, 422) },
  });
  const remove = route({
    method: 'delete',
    path: '/api/v1/platform-grants/{id}',
    tags,
    summary: 'End a grant',
    'x-permission': 'users:admin',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 422) },
  });

  return createRouter()
    .openapi(list, async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const after = decodeCursor(cursor, 1);
      const rows = await asCaller(c, db, (tx) => listGrants(tx, { limit, after }));
      return c.json(
        toPage(rows, limit, (row) => [row.id], toGrant),
        200,
      );
    })
    .openapi(create, async (c) => {
      const { platformAdminEmail, roleId, hours } = c.req.valid('json');
      const access = c.get('access');
      const row = await asCaller(c, db, async (tx) => {
        const platformAdminId = await findPlatformAdminId(tx, platformAdminEmail);
        const invalid = (path: string, message: string) =>
          new ProblemError(422, 'Unprocessable Content', message, { errors: [{ path, message }] });
        if (!platformAdminId)
          throw invalid('platformAdminEmail', 'no platform administrator with this email');
        const [role] = await visibleRoles(tx, [roleId]);
        if (!role) throw invalid('roleId', 'no role with this id');
        const beyond = role.permissions.filter((permission) => !access.permissions.has(permission));
        if (beyond.length > 0) {
          throw new ProblemError(
            403,
            'Forbidden',
            `cannot grant permissions the caller lacks: ${beyond.join(', ')}`,
          );
        }
        const expiresAt = new Date(Date.now() + hours * 3_600_000);
        return insertGrant(tx, {
          id: uuidv7(),
          organizationId: access.organizationId,
          platformAdminId,
          roleId,
          expiresAt,
        });
      });
      return c.json(toGrant(row), 201);
    })
    .openapi(remove, async (c) => {
      await asCaller(c, db, async (tx) => {
        if (!(await deleteGrant(tx, c.req.valid('param').id))) throw notFound('grant');
      });
      return c.body(null, 204);
    });
}
