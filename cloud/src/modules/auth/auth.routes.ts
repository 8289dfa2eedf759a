import { createRoute, z } from '@hono/zod-openapi';
import { LoginRequest, LoginResponse } from '@unison/contracts';
import { createRouter, jsonBody, jsonResponse, problems } from '../../http/openapi.ts';
import type { createAuthService } from './auth.service.ts';
import type { UserTokens } from './tokens.ts';

const loginRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/login',
  tags: ['auth'],
  summary: 'Exchange email and password for an access token',
  request: { body: jsonBody(LoginRequest) },
  responses: { 200: jsonResponse(LoginResponse, 'An access token'), ...problems(400, 401, 413, 422) },
});

const Jwks = z.object({ keys: z.array(z.looseObject({ kty: z.string() })) });

const jwksRoute = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags: ['auth'],
  summary: 'Public keys that verify the access tokens',
  responses: { 200: jsonResponse(Jwks, 'JSON Web Key Set') },
});

export function authRoutes({
  auth,
  tokens,
}: {
  auth: ReturnType<typeof createAuthService>;
  tokens: UserTokens;
}) {
  return createRouter()
    .openapi(loginRoute, async (c) => c.json(await auth.login(c.req.valid('json')), 200))
    .openapi(jwksRoute, (c) => c.json(Jwks.parse(tokens.jwks()), 200));
}
