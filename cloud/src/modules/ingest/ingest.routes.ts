import { createRoute } from '@hono/zod-openapi';
import { UploadAck, UploadBatch } from '@unison/contracts';
import type { Database } from '../../db/client.ts';
import { createRouter, EDGE_AUTH, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import { edgeAssertion } from '../edges/edge-assertion.middleware.ts';
import { ingestBatch } from './ingest.service.ts';

export const UPLOAD_PATH = '/api/v1/sync/upload';

export function ingestRoutes({ db }: { db: Database }) {
  const uploadRoute = createRoute({
    method: 'post',
    path: UPLOAD_PATH,
    tags: ['sync'],
    summary: "Append a batch of the edge's outbox records, exactly once and in order",
    security: EDGE_AUTH,
    middleware: [edgeAssertion({ db })] as const,
    request: { body: jsonBody(UploadBatch) },
    responses: {
      200: jsonResponse(UploadAck, 'What the cloud now holds of this stream'),
      ...problems(400, 401, 409, 413, 422),
    },
  });
  return createRouter().openapi(uploadRoute, async (c) =>
    c.json(await ingestBatch(db, c.get('edge'), c.req.valid('json')), 200),
  );
}
