import { Hono } from 'hono';
import type { Devices } from '../devices/devices.start.ts';
import { PRINT_JOBS_PERMISSION, requirePermission } from './auth.middleware.ts';
import type { LanAuth } from './auth.service.ts';

const STATES = new Set(['queued', 'sent', 'printed', 'failed', 'held']);

const problem = (status: 400 | 404 | 409, title: string, detail: string) =>
  new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

/**
 * The print queue for supervisors on the LAN: list jobs, look at a label, and decide what happens to
 * a held job (reprint it, or confirm it came out). `devices` is undefined until the devices have started.
 * Reading is open on the LAN; changing a job needs a signed-in user with the print-jobs permission.
 */
export function printJobsRoutes(devices: () => Devices | undefined, auth: LanAuth) {
  const app = new Hono();
  const mayChange = requirePermission(auth, PRINT_JOBS_PERMISSION);
  const queueOr404 = () => devices()?.queue;

  app.get('/api/print-jobs', (c) => {
    const queue = queueOr404();
    if (!queue) return c.json({ items: [] });
    const state = c.req.query('state');
    if (state !== undefined && !STATES.has(state)) {
      return problem(400, 'Bad Request', `state must be one of ${[...STATES].join(', ')}`);
    }
    const printer = c.req.query('printer');
    const jobs = queue.jobs({
      ...(printer ? { printer } : {}),
      ...(state ? { state: state as 'queued' } : {}),
    });
    return c.json({ items: jobs.map(({ zpl: _zpl, ...job }) => job) });
  });

  app.get('/api/print-jobs/:id/preview.png', (c) => {
    const png = devices()?.previewJob(c.req.param('id'));
    if (!png) return problem(404, 'Not Found', 'no such print job');
    return c.body(new Uint8Array(png), 200, { 'content-type': 'image/png' });
  });

  app.post('/api/print-jobs/:id/reprint', mayChange, (c) => {
    const queue = queueOr404();
    const id = c.req.param('id');
    if (!queue?.job(id)) return problem(404, 'Not Found', 'no such print job');
    const { zpl: _zpl, ...job } = queue.reprint(id);
    return c.json(job, 201);
  });

  app.post('/api/print-jobs/:id/printed', mayChange, (c) => {
    const queue = queueOr404();
    const id = c.req.param('id');
    const job = queue?.job(id);
    if (!queue || !job) return problem(404, 'Not Found', 'no such print job');
    if (job.state !== 'held') return problem(409, 'Conflict', `print job ${id} is ${job.state}, not held`);
    const { zpl: _zpl, ...confirmed } = queue.markPrinted(id);
    return c.json(confirmed);
  });

  return app;
}
