import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import { unauthorized } from '../../http/problem.ts';
import type { UserTokens } from './tokens.ts';

export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** Requires a user access token; sets `user` in the context. */
export function userAuth(tokens: UserTokens): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    const user = token ? await tokens.verify(token) : undefined;
    if (!user) throw unauthorized('a valid user access token is required');
    c.set('user', user);
    await next();
  };
}
