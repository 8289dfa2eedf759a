import { z } from '@hono/zod-openapi';

export const RefreshRequest = z.strictObject({ refreshToken: z.string().min(1).max(512) });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

export const Jwks = z.object({ keys: z.array(z.looseObject({ kty: z.string() })) });
