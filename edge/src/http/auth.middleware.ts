import type { MiddlewareHandler } from 'hono';
import type { LanAuth, Principal } from './auth.service.ts';

/** Reprinting a label and confirming one came out: the cloud's permission to work with labels. */
export const PRINT_JOBS_PERMISSION = 'labels:write';

export type AuthEnv = { Variables: { principal: Principal } };

export const problem = (
  status: 400 | 401 | 403 | 404 | 409 | 429 | 503,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
) =>
  new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

const bearerToken = (header: string | undefined) => header?.match(/^Bearer\s+(\S+)$/i)?.[1];

/** Lets the request through only for a signed-in user whose roles grant `permission`. */
export function requirePermission(auth: LanAuth, permission: string): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const result = await auth.authenticate(bearerToken(c.req.header('authorization')));
    if (!result.ok) {
      return result.status === 401
        ? problem(401, 'Unauthorized', result.detail, { 'www-authenticate': 'Bearer' })
        : problem(403, 'Forbidden', result.detail);
    }
    if (!result.principal.permissions.has(permission)) {
      return problem(403, 'Forbidden', `this needs the ${permission} permission`);
    }
    c.set('principal', result.principal);
    await next();
  };
}
