import { createRoute } from '@hono/zod-openapi';
import { UploadAck, UploadEnvelope } from '@unison/contracts';
import type { Database } from '../../db/client.ts';
import { createRouter, EDGE_AUTH, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import { edgeAssertion } from '../edges/edge-assertion.middleware.ts';
import { inflateBody } from './ingest.inflate.ts';
import { type IngestLimiterOptions, ingestLimiter } from './ingest.limiter.ts';
import type { RecordLimits } from './ingest.records.ts';
import { ingestBatch } from './ingest.service.ts';

export const UPLOAD_PATH = '/api/v1/sync/upload';

export interface IngestRoutesOptions extends RecordLimits {
  db: Database;
  /** Limit on a gzip body once decompressed. */
  maxInflatedBytes?: number;
  limiter?: IngestLimiterOptions;
}

export function ingestRoutes({
  db,
  maxInflatedBytes = 8 * 1024 * 1024,
  limiter,
  ...limits
}: IngestRoutesOptions) {
  const uploadRoute = createRoute({
    method: 'post',
    path: UPLOAD_PATH,
    tags: ['sync'],
    summary: "Append a batch of the edge's outbox records, exactly once and in order",
    description:
      'Bodies may be gzip-compressed (content-encoding: gzip). Records that can never be stored are ' +
      'quarantined and acknowledged; under load the answer is 503 with Retry-After.',
    security: EDGE_AUTH,
    middleware: [ingestLimiter(limiter), edgeAssertion({ db }), inflateBody({ maxInflatedBytes })] as const,
    request: { body: jsonBody(UploadEnvelope) },
    responses: {
      200: jsonResponse(UploadAck, 'What the cloud now holds of this stream'),
      ...problems(400, 401, 409, 413, 415, 422, 503),
    },
  });
  return createRouter().openapi(uploadRoute, async (c) =>
    c.json(await ingestBatch(db, c.get('edge'), c.req.valid('json'), limits), 200),
  );
}
