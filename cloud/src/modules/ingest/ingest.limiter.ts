import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import { problemResponse } from '../../http/problem.ts';

export interface IngestLimiterOptions {
  /** Uploads processed at once; each holds a database connection and a decoded batch. */
  maxConcurrent?: number;
  /** Uploads that may wait for a slot; beyond this they are refused at once. */
  maxWaiting?: number;
  /** How long an upload waits for a slot before it is refused. */
  maxWaitMs?: number;
  /** What the refusal tells the edge to wait. */
  retryAfterS?: number;
}

/**
 * Bounds concurrent uploads: past the bound a request waits briefly, then gets 503 with
 * Retry-After, so overload costs neither side unbounded memory.
 */
export function ingestLimiter({
  maxConcurrent = 4,
  maxWaiting = 16,
  maxWaitMs = 2000,
  retryAfterS = 1,
}: IngestLimiterOptions = {}): MiddlewareHandler<AppEnv> {
  let active = 0;
  const waiting: (() => void)[] = [];

  const acquire = (): Promise<boolean> => {
    if (active < maxConcurrent) {
      active += 1;
      return Promise.resolve(true);
    }
    if (waiting.length >= maxWaiting) return Promise.resolve(false);
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const index = waiting.indexOf(grant);
        if (index >= 0) waiting.splice(index, 1);
        resolve(false);
      }, maxWaitMs);
      waiting.push(grant);
    });
  };
  const release = () => {
    const next = waiting.shift();
    // The slot passes straight to the next waiter, so `active` stays as it is.
    if (next) next();
    else active -= 1;
  };

  return async (c, next) => {
    if (!(await acquire())) {
      c.header('retry-after', String(retryAfterS));
      return problemResponse(c, 503, 'Service Unavailable', 'too many uploads at once; retry later');
    }
    try {
      await next();
    } finally {
      release();
    }
  };
}
