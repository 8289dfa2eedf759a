import { createRoute, z } from '@hono/zod-openapi';
import { ChangesPage, MAX_CHANGES_PAGE, MAX_CHANGES_WAIT_S } from '@unison/contracts';
import type { Database } from '../../db/client.ts';
import { createRouter, EDGE_AUTH, jsonResponse, problems } from '../../http/openapi.ts';
import { edgeAssertion } from '../edges/edge-assertion.middleware.ts';
import { type ChangeFeedOptions, createChangeFeed } from './changes.service.ts';
import type { ChangeSignal } from './changes.signal.ts';

export const CHANGES_PATH = '/api/v1/sync/changes';

const ChangesQuery = z.strictObject({
  cursor: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .openapi({ description: 'The cursor of the previous page; none (or after `refetch`) starts a snapshot' }),
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_CHANGES_WAIT_S)
    .default(0)
    .openapi({ description: 'Seconds to hold a change-log request until a change commits' }),
  limit: z.coerce.number().int().min(1).max(MAX_CHANGES_PAGE).default(MAX_CHANGES_PAGE),
});

export interface ChangesRoutesOptions extends Omit<ChangeFeedOptions, 'db' | 'signal'> {
  db: Database;
  signal: ChangeSignal;
}

export function changesRoutes({ db, signal, ...options }: ChangesRoutesOptions) {
  const feed = createChangeFeed({ db, signal, ...options });
  const route = createRoute({
    method: 'get',
    path: CHANGES_PATH,
    tags: ['sync'],
    summary: "The edge's plant-scoped change feed: snapshot pages, then changes since its cursor",
    description:
      'Without a cursor the answer is the first page of a snapshot (`reset: true`). The last snapshot ' +
      'page hands over to the change log. A change-log request with `wait` that finds nothing new is ' +
      'held until a change commits or the wait ends. A cursor older than the retained log gets ' +
      '`refetch`: start again without a cursor.',
    security: EDGE_AUTH,
    middleware: [edgeAssertion({ db })] as const,
    request: { query: ChangesQuery },
    responses: {
      200: jsonResponse(ChangesPage, 'A page of changes and the cursor to continue from'),
      ...problems(400, 401, 422),
    },
  });
  return createRouter().openapi(route, async (c) => {
    const { cursor, wait, limit } = c.req.valid('query');
    const page = await feed.read(c.get('edge'), { cursor, waitSeconds: wait, limit }, c.req.raw.signal);
    return c.json(page, 200);
  });
}
