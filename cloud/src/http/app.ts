import { swaggerUI } from '@hono/swagger-ui';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import { areasRoutes } from '../modules/areas/areas.routes.ts';
import { auditRoutes } from '../modules/audit/audit.routes.ts';
import { authRoutes, type IdentityOptions } from '../modules/auth/auth.routes.ts';
import type { UserTokens } from '../modules/auth/tokens.ts';
import { edgesRoutes } from '../modules/edges/edges.routes.ts';
import { ingestRoutes, UPLOAD_PATH } from '../modules/ingest/ingest.routes.ts';
import { labelTemplatesRoutes } from '../modules/label-templates/label-templates.routes.ts';
import { linesRoutes } from '../modules/lines/lines.routes.ts';
import { machineTagsRoutes } from '../modules/machine-tags/machine-tags.routes.ts';
import { machinesRoutes } from '../modules/machines/machines.routes.ts';
import { machineSamplesRoutes } from '../modules/machines/samples.routes.ts';
import { materialsRoutes } from '../modules/materials/materials.routes.ts';
import { organizationsRoutes } from '../modules/organizations/organizations.routes.ts';
import { platformRoutes } from '../modules/organizations/platform.routes.ts';
import { plantsRoutes } from '../modules/plants/plants.routes.ts';
import { rolesRoutes } from '../modules/roles/roles.routes.ts';
import { changesRoutes } from '../modules/sync/changes.routes.ts';
import { type ChangeSignal, pollingChangeSignal } from '../modules/sync/changes.signal.ts';
import { platformGrantsRoutes } from '../modules/users/platform-grants.routes.ts';
import { usersRoutes } from '../modules/users/users.routes.ts';
import { workOrdersRoutes } from '../modules/work-orders/work-orders.routes.ts';
import { createAuthorizer } from './authorize.ts';
import { healthRoutes } from './health.routes.ts';
import { createHttpMetrics, metricsRoutes } from './metrics.ts';
import { createRouter } from './openapi.ts';
import { ProblemError, problemResponse } from './problem.ts';

export interface AppDeps {
  db: Database;
  tokens: UserTokens;
  log: Logger;
  enrollmentTtlMs?: number;
  identity?: IdentityOptions;
  bodyLimitBytes?: number;
  uploadBodyLimitBytes?: number;
  /** Wakes long-polling change-feed readers; without one they poll. */
  changeSignal?: ChangeSignal;
  /** How long a caller's permissions are reused (see `createAuthorizer`), and the clock for it. */
  access?: { ttlMs?: number; now?: () => number };
}

export function createApp({
  db,
  tokens,
  log,
  enrollmentTtlMs,
  identity,
  bodyLimitBytes = 1024 * 1024,
  uploadBodyLimitBytes = 8 * 1024 * 1024,
  changeSignal = pollingChangeSignal(),
  access = {},
}: AppDeps) {
  const app = createRouter();
  const tooLarge = (limit: number) =>
    bodyLimit({
      maxSize: limit,
      onError: (c) => problemResponse(c, 413, 'Content Too Large', `the body must not exceed ${limit} bytes`),
    });
  const defaultLimit = tooLarge(bodyLimitBytes);
  const uploadLimit = tooLarge(uploadBodyLimitBytes);

  const metrics = createHttpMetrics();
  app.use(requestId());
  app.use(metrics.middleware);
  app.use(async (c, next) => {
    const startedMs = performance.now();
    c.set('log', log.child({ requestId: c.get('requestId') }));
    await next();
    c.get('log').info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round(performance.now() - startedMs),
      },
      'request',
    );
  });
  // GET and HEAD carry no body; asking for one would build a full fetch Request for nothing.
  app.use((c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD'
      ? next()
      : (c.req.path === UPLOAD_PATH ? uploadLimit : defaultLimit)(c, next),
  );

  app.openAPIRegistry.registerComponent('securitySchemes', 'userToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Access token from POST /api/v1/auth/login',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'edgeAssertion', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "Short-lived JWT signed by the edge's enrolled Ed25519 key (kid = edge id)",
  });

  const authorizer = createAuthorizer({ db, tokens, accessTtlMs: access.ttlMs, now: access.now });
  app.route('/', healthRoutes({ db }));
  app.route('/', authRoutes({ db, tokens, ...identity }));
  app.route('/', edgesRoutes({ db, tokens, authorizer, enrollmentTtlMs }));
  app.route('/', ingestRoutes({ db }));
  app.route('/', changesRoutes({ db, signal: changeSignal }));
  app.route('/', metricsRoutes({ metrics }));
  app.route('/', organizationsRoutes({ db, authorizer }));
  app.route('/', platformRoutes({ db, tokens, ...identity }));
  app.route('/', plantsRoutes({ db, authorizer }));
  app.route('/', areasRoutes({ db, authorizer }));
  app.route('/', linesRoutes({ db, authorizer }));
  app.route('/', machinesRoutes({ db, authorizer }));
  app.route('/', machineTagsRoutes({ db, authorizer }));
  app.route('/', materialsRoutes({ db, authorizer }));
  app.route('/', workOrdersRoutes({ db, authorizer }));
  app.route('/', labelTemplatesRoutes({ db, authorizer }));
  app.route('/', machineSamplesRoutes({ db, authorizer }));
  app.route('/', usersRoutes({ db, authorizer }));
  app.route('/', platformGrantsRoutes({ db, authorizer }));
  app.route('/', rolesRoutes({ db, authorizer }));
  app.route('/', auditRoutes({ db, authorizer }));

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Unison cloud API', version: '0.1.0' },
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));

  app.notFound((c) => problemResponse(c, 404, 'Not Found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof ProblemError)
      return problemResponse(c, error.status, error.title, error.message, error.extra);
    if (error instanceof HTTPException && error.status < 500) {
      return problemResponse(
        c,
        error.status as ContentfulStatusCode,
        statusTitle(error.status),
        error.message,
      );
    }
    (c.get('log') ?? log).error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error');
    return problemResponse(c, 500, 'Internal Server Error', 'an unexpected error occurred');
  });
  return app;
}

function statusTitle(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    413: 'Content Too Large',
  };
  return titles[status] ?? 'Client Error';
}
