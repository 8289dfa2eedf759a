import { Hono } from 'hono';
import type { Devices } from '../devices/devices.start.ts';
import type { EdgeStatus } from '../status.ts';
import { authRoutes } from './auth.routes.ts';
import { type LanAuth, noLanAuth } from './auth.service.ts';
import { toPrometheus } from './metrics.ts';
import { printJobsRoutes } from './print-jobs.routes.ts';

export interface HttpAppDeps {
  status: () => EdgeStatus;
  /** Messages a connector refused as malformed, newest last; undefined when there is no such connector. */
  rejectedMessages?: (connectorId: string) => unknown[] | undefined;
  /** Scanners and printers, once started. */
  devices?: () => Devices | undefined;
  /** Sign-in on the LAN from the replica; without it nobody can sign in. */
  auth?: LanAuth;
}

export function createHttpApp({
  status,
  rejectedMessages = () => undefined,
  devices = () => undefined,
  auth = noLanAuth,
}: HttpAppDeps) {
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/api/status', (c) => c.json(status()));
  app.get('/api/connectors/:id/rejected', (c) => {
    const items = rejectedMessages(c.req.param('id'));
    if (items === undefined)
      return c.json({ title: 'Not Found', status: 404, detail: 'no such connector' }, 404);
    return c.json({ items });
  });
  app.route('/', authRoutes(auth));
  app.route('/', printJobsRoutes(devices, auth));
  app.get('/metrics', (c) =>
    c.text(toPrometheus(status()), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  return app;
}
