import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

/** Serves `app`; port 0 picks a free port, and `url` tells which. */
export async function startHttpServer(
  app: Hono,
  { host, port }: { host: string; port: number },
): Promise<{ url: string; stop(): Promise<void> }> {
  let server: ReturnType<typeof serve> | undefined;
  const info = await new Promise<AddressInfo>((resolve, reject) => {
    server = serve({ fetch: app.fetch, hostname: host, port }, resolve);
    server.once('error', reject);
  });
  const reachableHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost}:${info.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
