import { createRoute, z } from '@hono/zod-openapi';
import { EnrollRequest, EnrollResponse } from '@unison/contracts';
import type { Database } from '../../db/client.ts';
import { createRouter, jsonBody, jsonResponse, problems, USER_AUTH } from '../../http/openapi.ts';
import type { UserTokens } from '../auth/tokens.ts';
import { userAuth } from '../auth/user-auth.middleware.ts';
import { createEnrollmentCode, enrollEdge } from './enrollment.service.ts';

const EnrollmentCode = z.object({ code: z.string(), expiresAt: z.iso.datetime() });

export function edgesRoutes({
  db,
  tokens,
  enrollmentTtlMs,
}: {
  db: Database;
  tokens: UserTokens;
  enrollmentTtlMs?: number;
}) {
  const createCodeRoute = createRoute({
    method: 'post',
    path: '/api/v1/plants/{plantId}/enrollment-codes',
    tags: ['edges'],
    summary: 'Create a single-use code that enrolls one edge into the plant',
    security: USER_AUTH,
    middleware: [userAuth(tokens)] as const,
    request: { params: z.object({ plantId: z.uuid() }) },
    responses: { 201: jsonResponse(EnrollmentCode, 'The code, shown once'), ...problems(401, 404, 422) },
  });

  const enrollRoute = createRoute({
    method: 'post',
    path: '/api/v1/edges/enroll',
    tags: ['edges'],
    summary: "Register an edge's public key in exchange for an enrollment code",
    request: { body: jsonBody(EnrollRequest) },
    responses: { 201: jsonResponse(EnrollResponse, 'The enrolled edge'), ...problems(400, 403, 413, 422) },
  });

  return createRouter()
    .openapi(createCodeRoute, async (c) => {
      const { organizationId } = c.get('user');
      const { plantId } = c.req.valid('param');
      return c.json(await createEnrollmentCode(db, { organizationId, plantId, ttlMs: enrollmentTtlMs }), 201);
    })
    .openapi(enrollRoute, async (c) => c.json(await enrollEdge(db, c.req.valid('json')), 201));
}
