import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, TypedResponse } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { JSONParsed } from 'hono/utils/types';
import type { AppEnv } from './env.ts';
import { problemResponse } from './problem.ts';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
  })
  .loose()
  .openapi('Problem');

const problemContent = { 'application/problem+json': { schema: ProblemSchema } };

/** Response entries for the problems a route can answer with. */
export function problems(
  ...statuses: number[]
): Record<number, { description: string; content: typeof problemContent }> {
  const descriptions: Record<number, string> = {
    400: 'Malformed request',
    401: 'Missing or invalid credentials',
    403: 'Forbidden',
    404: 'Not found',
    409: 'Conflicts with the current state',
    413: 'Body too large',
    422: 'Request failed validation',
  };
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: descriptions[status] ?? 'Problem', content: problemContent },
    ]),
  );
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/**
 * A body already serialized as JSON of type `T` (by the database), answered as `c.json` would answer
 * `T`; the route's tests must hold the text to the schema, since nothing here checks it.
 */
export function jsonText<T, S extends ContentfulStatusCode>(c: Context, text: string, status: S) {
  return c.body(text, status, { 'content-type': 'application/json' }) as unknown as Response &
    TypedResponse<JSONParsed<T>, S, 'json'>;
}

export const USER_AUTH = [{ userToken: [] }];
export const EDGE_AUTH = [{ edgeAssertion: [] }];

/** A router whose schema violations answer 422 with the failing fields. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors = result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      }));
      return problemResponse(c, 422, 'Unprocessable Content', 'the request failed validation', { errors });
    },
  });
}
