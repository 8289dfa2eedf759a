import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import { problemResponse } from '../../http/problem.ts';

const gunzipAsync = promisify(gunzip);

/**
 * Accepts gzip-compressed bodies. The size limit applies to the decompressed body, so a small
 * compressed bomb is refused with 413 before it is ever held in memory whole.
 */
export function inflateBody({ maxInflatedBytes }: { maxInflatedBytes: number }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const encoding = c.req.header('content-encoding')?.trim().toLowerCase();
    if (!encoding || encoding === 'identity') return next();
    if (encoding !== 'gzip') {
      return problemResponse(
        c,
        415,
        'Unsupported Media Type',
        `content-encoding ${encoding} is not supported`,
      );
    }
    // Read outside the try: the app's own body limit reports itself by throwing.
    const compressed = Buffer.from(await c.req.raw.arrayBuffer());
    let inflated: Buffer;
    try {
      inflated = await gunzipAsync(compressed, { maxOutputLength: maxInflatedBytes });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        return problemResponse(
          c,
          413,
          'Content Too Large',
          `the decompressed body must not exceed ${maxInflatedBytes} bytes`,
        );
      }
      return problemResponse(c, 400, 'Bad Request', 'the body is not valid gzip');
    }
    // Handlers read the body through Hono's body cache, which holds promises (its type says the
    // value): the decompressed text goes there directly instead of into a new request to stream out.
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(inflated.toString('utf8'));
    return next();
  };
}
