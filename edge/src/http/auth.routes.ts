import { LoginRequest } from '@unison/contracts';
import { Hono } from 'hono';
import { z } from 'zod';
import { problem } from './auth.middleware.ts';
import type { LanAuth } from './auth.service.ts';

/** `POST /api/login`: sign in on the plant LAN with the replicated account, for a token of this edge. */
export function authRoutes(auth: LanAuth) {
  const app = new Hono();
  app.post('/api/login', async (c) => {
    const body = LoginRequest.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return problem(400, 'Bad Request', z.prettifyError(body.error));
    const outcome = await auth.login(body.data.email, body.data.password);
    switch (outcome.kind) {
      case 'ok': {
        const { userId, email, permissions } = outcome.principal;
        return c.json({
          accessToken: outcome.accessToken,
          tokenType: 'Bearer',
          expiresIn: outcome.expiresIn,
          user: { id: userId, email, permissions: [...permissions].sort() },
        });
      }
      case 'throttled':
        return problem(
          429,
          'Too Many Requests',
          `too many failed sign-ins; try again in ${outcome.retryAfterSeconds} s`,
          { 'retry-after': String(outcome.retryAfterSeconds) },
        );
      case 'unauthorized':
        return problem(401, 'Unauthorized', outcome.detail);
      case 'forbidden':
        return problem(403, 'Forbidden', outcome.detail);
      case 'unavailable':
        return problem(503, 'Service Unavailable', outcome.detail);
    }
  });
  return app;
}
