import { createRoute, z } from '@hono/zod-openapi';
import { LoginRequest, LoginResponse } from '@unison/contracts';
import type { Database } from '../../db/client.ts';
import { createRouter, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import { Jwks, RefreshRequest } from './auth.schema.ts';
import { createAuthService, LoginThrottled } from './auth.service.ts';
import { clientAddress } from './client-address.ts';
import type { ThrottleLimits } from './login-throttle.repository.ts';
import { createSessions } from './sessions.service.ts';
import type { UserTokens } from './tokens.ts';

/** The 429 of a login route, with its Retry-After header. */
export const loginThrottledResponse = {
  429: {
    description: 'Too many failed logins for the account or the client address',
    headers: z.object({ 'Retry-After': z.string().openapi({ description: 'seconds to wait' }) }),
    content: problems(429)[429]!.content,
  },
};

const loginRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/login',
  tags: ['auth'],
  summary: 'Exchange email and password for an access token and a refresh token',
  request: { body: jsonBody(LoginRequest) },
  responses: {
    200: jsonResponse(LoginResponse, 'An access token and a single-use refresh token'),
    ...problems(400, 401, 413, 422),
    ...loginThrottledResponse,
  },
});

const refreshRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/refresh',
  tags: ['auth'],
  summary: 'Trade a refresh token for a new pair; a refresh token shown twice revokes its session',
  request: { body: jsonBody(RefreshRequest) },
  responses: { 200: jsonResponse(LoginResponse, 'A new pair'), ...problems(400, 401, 413, 422) },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/logout',
  tags: ['auth'],
  summary: 'Revoke the session (every refresh token of its family) the refresh token belongs to',
  request: { body: jsonBody(RefreshRequest) },
  responses: { 204: { description: 'The session is over' }, ...problems(400, 413, 422) },
});

const jwksRoute = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags: ['auth'],
  summary: 'Public keys that verify the access tokens (during a rollover, the old key as well)',
  responses: { 200: jsonResponse(Jwks, 'JSON Web Key Set') },
});

/** How users sign in; every field has a default. */
export interface IdentityOptions {
  refreshTokenTtlMs?: number;
  loginThrottle?: Partial<ThrottleLimits>;
  /** A header a trusted reverse proxy sets to the client's address; the socket's peer otherwise. */
  trustedProxyHeader?: string;
}

export function authRoutes({
  db,
  tokens,
  refreshTokenTtlMs,
  loginThrottle,
  trustedProxyHeader,
}: IdentityOptions & { db: Database; tokens: UserTokens }) {
  const sessions = createSessions({ db, tokens, refreshTokenTtlMs });
  const auth = createAuthService({ db, sessions, loginThrottle });
  return createRouter()
    .openapi(loginRoute, async (c) => {
      try {
        const address = clientAddress(c, trustedProxyHeader);
        return c.json(await auth.login(c.req.valid('json'), { clientAddress: address }), 200);
      } catch (error) {
        if (error instanceof LoginThrottled) c.header('Retry-After', String(error.retryAfterSeconds));
        throw error;
      }
    })
    .openapi(refreshRoute, async (c) => c.json(await sessions.refresh(c.req.valid('json').refreshToken), 200))
    .openapi(logoutRoute, async (c) => {
      await sessions.logout(c.req.valid('json').refreshToken);
      return c.body(null, 204);
    })
    .openapi(jwksRoute, async (c) => {
      return c.json(Jwks.parse(await tokens.jwks()), 200);
    });
}
