import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { createRouter, jsonResponse, problems } from './openapi.ts';
import { ProblemError } from './problem.ts';

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['operations'],
  summary: 'Whether the API can reach its database',
  responses: {
    200: jsonResponse(z.object({ status: z.literal('ok') }), 'Ready'),
    ...problems(503),
  },
});

export function healthRoutes({ db }: { db: Database }) {
  return createRouter().openapi(healthRoute, async (c) => {
    try {
      await db.query('select 1');
    } catch {
      throw new ProblemError(503, 'Service Unavailable', 'the database is unreachable');
    }
    return c.json({ status: 'ok' as const }, 200);
  });
}
