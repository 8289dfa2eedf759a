import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { EnrollRequest, EnrollResponse } from '@unison/contracts';
import type { Context } from 'hono';
import type { Database } from '../../db/client.ts';
import { type TenantContext, withTenant } from '../../db/tenant.ts';
import { type Authorizer, callerTenant, PERMISSION_EXTENSION } from '../../http/authorize.ts';
import type { AppEnv } from '../../http/env.ts';
import { createRouter, jsonBody, jsonResponse, problems, USER_AUTH } from '../../http/openapi.ts';
import { decodeCursor, pageOf, toPage } from '../../http/pagination.ts';
import type { UserTokens } from '../auth/tokens.ts';
import { userAuth } from '../auth/user-auth.middleware.ts';
import { listEdges } from './edges.repository.ts';
import { Edge, EdgeIdParam, EdgeQuery, toEdge } from './edges.schema.ts';
import { revokeVisibleEdge } from './edges.service.ts';
import { createEnrollmentCode, enrollEdge } from './enrollment.service.ts';

const EnrollmentCode = z.object({ code: z.string(), expiresAt: z.iso.datetime() });
const tags = ['edges'];

export interface EdgesRoutesDeps {
  db: Database;
  tokens: UserTokens;
  /** Checks `edges:admin`; without it any user of the organization may manage its edges. */
  authorizer?: Authorizer;
  enrollmentTtlMs?: number;
}

export function edgesRoutes({ db, tokens, authorizer, enrollmentTtlMs }: EdgesRoutesDeps) {
  const guarded = <const R extends Omit<RouteConfig, 'security' | 'middleware'>>(config: R) =>
    authorizer
      ? authorizer.route({ ...config, [PERMISSION_EXTENSION]: 'edges:admin' })
      : createRoute({ ...config, security: USER_AUTH, middleware: [userAuth(tokens)] as const });
  const tenantOf = (c: Context<AppEnv>): TenantContext => {
    const access = c.get('access');
    if (access) return callerTenant(access);
    const { organizationId, userId } = c.get('user');
    return { organizationId, userId };
  };

  const createCodeRoute = guarded({
    method: 'post',
    path: '/api/v1/plants/{plantId}/enrollment-codes',
    tags,
    summary: 'Create a single-use code that enrolls one edge into the plant',
    request: { params: z.object({ plantId: z.uuid() }) },
    responses: { 201: jsonResponse(EnrollmentCode, 'The code, shown once'), ...problems(401, 403, 404, 422) },
  });
  const enrollRoute = createRoute({
    method: 'post',
    path: '/api/v1/edges/enroll',
    tags,
    summary: "Register an edge's public key in exchange for an enrollment code",
    request: { body: jsonBody(EnrollRequest) },
    responses: { 201: jsonResponse(EnrollResponse, 'The enrolled edge'), ...problems(400, 403, 413, 422) },
  });
  const listRoute = guarded({
    method: 'get',
    path: '/api/v1/edges',
    tags,
    summary: "The organization's edges in the plants the caller can see, by id",
    request: { query: EdgeQuery },
    responses: { 200: jsonResponse(pageOf(Edge), 'A page of edges'), ...problems(401, 403, 422) },
  });
  const revokeRoute = guarded({
    method: 'post',
    path: '/api/v1/edges/{edgeId}/revoke',
    tags,
    summary: 'Revoke an edge: its next request is refused; enrolling it again needs a new code',
    request: { params: EdgeIdParam },
    responses: { 200: jsonResponse(Edge, 'The revoked edge'), ...problems(401, 403, 404, 422) },
  });

  return createRouter()
    .openapi(createCodeRoute, async (c) => {
      const { plantId } = c.req.valid('param');
      const context = tenantOf(c);
      const input = { organizationId: context.organizationId, plantId, ttlMs: enrollmentTtlMs, context };
      return c.json(await createEnrollmentCode(db, input), 201);
    })
    .openapi(enrollRoute, async (c) => c.json(await enrollEdge(db, c.req.valid('json')), 201))
    .openapi(listRoute, async (c) => {
      const { cursor, limit, plantId, revoked } = c.req.valid('query');
      const after = decodeCursor(cursor, 1);
      const query = {
        plantId,
        revoked: revoked === undefined ? undefined : revoked === 'true',
        limit,
        after,
      };
      const rows = await withTenant(db, tenantOf(c), (tx) => listEdges(tx, query));
      return c.json(
        toPage(rows, limit, (row) => [row.id], toEdge),
        200,
      );
    })
    .openapi(revokeRoute, async (c) => {
      const { edgeId } = c.req.valid('param');
      return c.json(toEdge(await withTenant(db, tenantOf(c), (tx) => revokeVisibleEdge(tx, edgeId))), 200);
    });
}
