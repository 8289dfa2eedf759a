import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../http/env.ts';
import { ingestLimiter } from './ingest.limiter.ts';

describe('ingest limiter', () => {
  it('lets a bounded number through, queues briefly, then answers 503 with Retry-After', async () => {
    const gates: (() => void)[] = [];
    const app = new Hono<AppEnv>();
    app.use(ingestLimiter({ maxConcurrent: 2, maxWaiting: 1, maxWaitMs: 50, retryAfterS: 3 }));
    app.post('/', async (c) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      return c.text('ok');
    });
    const running = [app.request('/', { method: 'POST' }), app.request('/', { method: 'POST' })];
    const queued = app.request('/', { method: 'POST' });
    const refusedAtOnce = await app.request('/', { method: 'POST' });
    expect(refusedAtOnce.status).toBe(503);
    expect(refusedAtOnce.headers.get('retry-after')).toBe('3');
    const timedOut = await queued;
    expect(timedOut.status).toBe(503);

    const waiting = app.request('/', { method: 'POST' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    gates.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const open of gates.splice(0)) open();
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const open of gates.splice(0)) open();
    expect((await Promise.all([...running, waiting])).map((r) => r.status)).toEqual([200, 200, 200]);
  });
});
