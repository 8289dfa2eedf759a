import { Hono } from 'hono';
import type { EdgeStatus } from '../status.ts';
import { toPrometheus } from './metrics.ts';

export function createHttpApp({ status }: { status: () => EdgeStatus }) {
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/api/status', (c) => c.json(status()));
  app.get('/metrics', (c) =>
    c.text(toPrometheus(status()), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  return app;
}
