import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Database } from '../../db/client.ts';
import { withAppRole } from '../../db/tenant.ts';
import { databaseProblem, PERMISSION_EXTENSION } from '../../http/authorize.ts';
import type { AppEnv } from '../../http/env.ts';
import { createRouter, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../http/pagination.ts';
import { ProblemError } from '../../http/problem.ts';
import { type IdentityOptions, loginThrottledResponse } from '../auth/auth.routes.ts';
import { LoginThrottled } from '../auth/auth.service.ts';
import { clientAddress } from '../auth/client-address.ts';
import type { UserTokens } from '../auth/tokens.ts';
import { userAuth } from '../auth/user-auth.middleware.ts';
import { IdParam, Timestamp } from '../plants/plants.schema.ts';
import { CreatedOrganizationResponse, OrganizationCreate } from './organizations.schema.ts';
import { createOrganization } from './organizations.service.ts';
import { listOrganizationNames, platformAdminExists } from './platform.repository.ts';
import { createPlatformAuth, PLATFORM_ORGANIZATION_ID } from './platform.service.ts';

/** Declared like a tenant permission, but held only by platform operators. */
export const PLATFORM_PERMISSION = 'platform:admin';
export const PLATFORM_AUTH = [{ platformToken: [] }];

const tags = ['platform'];
const PlatformLogin = z.strictObject({ email: z.email().max(320), password: z.string().min(1).max(1024) });
const PlatformToken = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
});
const OrganizationName = z.object({ id: z.uuid(), name: z.string(), createdAt: Timestamp });

export function platformRoutes({
  db,
  tokens,
  loginThrottle,
  trustedProxyHeader,
}: { db: Database; tokens: UserTokens } & Pick<IdentityOptions, 'loginThrottle' | 'trustedProxyHeader'>) {
  const auth = createPlatformAuth({ db, tokens, loginThrottle });
  const authenticate = userAuth(tokens);
  const requirePlatformAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
    const { userId, organizationId } = c.get('user');
    const admin =
      organizationId === PLATFORM_ORGANIZATION_ID &&
      (await withAppRole(db, (tx) => platformAdminExists(tx, userId)));
    if (!admin) throw new ProblemError(403, 'Forbidden', 'this requires a platform administrator');
    await next();
  };
  const guarded = { security: PLATFORM_AUTH, [PERMISSION_EXTENSION]: PLATFORM_PERMISSION };
  const middleware = [authenticate, requirePlatformAdmin] as [
    MiddlewareHandler<AppEnv>,
    MiddlewareHandler<AppEnv>,
  ];

  const login = createRoute({
    method: 'post',
    path: '/api/v1/platform/login',
    tags,
    summary: 'Exchange a platform operator’s email and password for a platform token',
    request: { body: jsonBody(PlatformLogin) },
    responses: {
      200: jsonResponse(PlatformToken, 'A platform token'),
      ...problems(400, 401, 413, 422),
      ...loginThrottledResponse,
    },
  });
  const list = createRoute({
    ...guarded,
    middleware,
    method: 'get',
    path: '/api/v1/platform/organizations',
    tags,
    summary: 'Names of every organization (no tenant data)',
    request: { query: PageQuery },
    responses: {
      200: jsonResponse(pageOf(OrganizationName), 'A page of organizations'),
      ...problems(401, 403, 422),
    },
  });
  const create = createRoute({
    ...guarded,
    middleware,
    method: 'post',
    path: '/api/v1/platform/organizations',
    tags,
    summary: 'Create an organization with its first plant and admin (password shown once)',
    request: { body: jsonBody(OrganizationCreate) },
    responses: {
      201: jsonResponse(CreatedOrganizationResponse, 'The organization and its first admin'),
      ...problems(400, 401, 403, 409, 413, 422),
    },
  });
  const token = createRoute({
    ...guarded,
    middleware,
    method: 'post',
    path: '/api/v1/platform/organizations/{id}/token',
    tags,
    summary: 'An access token inside an organization that granted the operator a role',
    request: { params: IdParam },
    responses: { 200: jsonResponse(PlatformToken, 'An access token'), ...problems(401, 403, 404, 422) },
  });

  const router = createRouter();
  router.openAPIRegistry.registerComponent('securitySchemes', 'platformToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Platform token from POST /api/v1/platform/login',
  });
  return router
    .openapi(login, async (c) => {
      try {
        const address = clientAddress(c, trustedProxyHeader);
        return c.json(await auth.login(c.req.valid('json'), { clientAddress: address }), 200);
      } catch (error) {
        if (error instanceof LoginThrottled) c.header('Retry-After', String(error.retryAfterSeconds));
        throw error;
      }
    })
    .openapi(list, async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const after = decodeCursor(cursor, 1);
      const rows = await withAppRole(db, (tx) => listOrganizationNames(tx, { limit, after }));
      const toName = (row: (typeof rows)[number]) => ({
        id: row.id,
        name: row.name,
        createdAt: row.created_at.toISOString(),
      });
      return c.json(
        toPage(rows, limit, (row) => [row.id], toName),
        200,
      );
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const actor = { type: 'platform_admin' as const, id: c.get('user').userId };
      const created = await createOrganization(db, { ...body, actor }).catch((error: unknown) => {
        throw databaseProblem(error) ?? error;
      });
      return c.json(created, 201);
    })
    .openapi(token, async (c) =>
      c.json(await auth.tokenForGrantedOrganization(c.get('user').userId, c.req.valid('param').id), 200),
    );
}
