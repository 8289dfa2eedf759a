import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** A client error with an RFC 9457 body; thrown by services, rendered by the app's error handler. */
export class ProblemError extends Error {
  readonly status: ContentfulStatusCode;
  readonly title: string;
  readonly extra: Record<string, unknown>;

  constructor(
    status: ContentfulStatusCode,
    title: string,
    detail?: string,
    extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.status = status;
    this.title = title;
    this.extra = extra;
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

export function problemResponse(
  c: Context,
  status: ContentfulStatusCode,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
): Response {
  const body: ProblemBody = { type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...extra };
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
}

export const notFound = (what: string) => new ProblemError(404, 'Not Found', `${what} not found`);
export const unauthorized = (detail: string) => new ProblemError(401, 'Unauthorized', detail);
