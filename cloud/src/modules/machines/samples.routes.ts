import type { Database } from '../../db/client.ts';
import { type Authorizer, asCaller } from '../../http/authorize.ts';
import { createRouter, jsonResponse, problems } from '../../http/openapi.ts';
import { IdParam } from '../plants/plants.schema.ts';
import { SamplesPage, SamplesQuery } from './samples.schema.ts';
import { machineSamples } from './samples.service.ts';

export function machineSamplesRoutes({ db, authorizer }: { db: Database; authorizer: Authorizer }) {
  const list = authorizer.route({
    method: 'get',
    path: '/api/v1/machines/{id}/samples',
    tags: ['machines'],
    summary: "A machine's recorded samples in a time window, raw or in 1-minute buckets, oldest first",
    'x-permission': 'machines:read',
    request: { params: IdParam, query: SamplesQuery },
    responses: { 200: jsonResponse(SamplesPage, 'A page of samples'), ...problems(401, 403, 404, 422) },
  });
  return createRouter().openapi(list, async (c) => {
    const page = await asCaller(c, db, (tx) =>
      machineSamples(tx, c.req.valid('param').id, c.req.valid('query')),
    );
    return c.json(page, 200);
  });
}
