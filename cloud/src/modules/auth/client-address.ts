import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** Requests without a socket (in-process `app.request`) share this address. */
export const UNKNOWN_ADDRESS = 'unknown';

/**
 * The client's address: the socket's peer, or the last entry of the header a trusted proxy in front
 * of the cloud sets (earlier entries of X-Forwarded-For are whatever the client claimed).
 */
export function clientAddress(c: Context, trustedProxyHeader?: string): string {
  const forwarded = trustedProxyHeader
    ? c.req.header(trustedProxyHeader)?.split(',').at(-1)?.trim()
    : undefined;
  return normalize(forwarded || socketAddress(c) || UNKNOWN_ADDRESS);
}

function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

const normalize = (address: string) =>
  address
    .replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')
    .slice(0, 64)
    .toLowerCase();
