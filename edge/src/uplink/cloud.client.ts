import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  type EnrollRequest,
  EnrollResponse,
  UploadAck,
  type UploadBatch,
  UploadGap,
} from '@unison/contracts';
import { errorMessage } from '../lib/sleep.ts';
import type { CloudClock } from './cloud.clock.ts';

const gzipAsync = promisify(gzip);

/** What a call's result means for the caller: go on, resend from elsewhere, retry later, or stop and tell. */
export type CloudOutcome<T> =
  | { kind: 'ok'; body: T }
  | { kind: 'gap'; expectedSeq?: number; reason: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'rejected'; reason: string };

export interface CloudClient {
  enroll(request: EnrollRequest, signal?: AbortSignal): Promise<CloudOutcome<EnrollResponse>>;
  upload(batch: UploadBatch, token: string, signal?: AbortSignal): Promise<CloudOutcome<UploadAck>>;
}

/** Seconds or an HTTP date, as RFC 9110 allows. */
export function parseRetryAfter(header: string | null, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

export function createCloudClient({
  baseUrl,
  fetch = globalThis.fetch,
  timeoutMs = 15_000,
  compressMinBytes = 1024,
  clock,
}: {
  baseUrl: string;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
  /** Bodies from this size on are sent gzip-compressed. */
  compressMinBytes?: number;
  /** Learns the cloud's time from the Date header of every answer. */
  clock?: Pick<CloudClock, 'now' | 'localNow' | 'observe'>;
}): CloudClient {
  const base = baseUrl.replace(/\/+$/, '');

  async function post<T>(
    path: string,
    body: unknown,
    parse: (json: unknown) => T,
    { token, signal }: { token?: string; signal?: AbortSignal },
  ): Promise<CloudOutcome<T>> {
    let response: Response;
    let sentAtMs: number;
    try {
      const timeout = AbortSignal.timeout(timeoutMs);
      const json = JSON.stringify(body);
      const compress = Buffer.byteLength(json) >= compressMinBytes;
      const payload = compress ? new Uint8Array(await gzipAsync(json)) : json;
      sentAtMs = clock?.localNow() ?? Date.now();
      response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(compress ? { 'content-encoding': 'gzip' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: payload,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      return { kind: 'retry', reason: `cloud unreachable: ${errorMessage(error)}` };
    }
    clock?.observe(response.headers.get('date'), sentAtMs, clock.localNow());
    const text = await response.text().catch(() => '');
    const reason = `${path} answered ${response.status}: ${text.slice(0, 300)}`;
    if (response.status === 429 || response.status === 408 || response.status >= 500) {
      return {
        kind: 'retry',
        reason,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), clock?.now()),
      };
    }
    if (response.status === 409) {
      const gap = UploadGap.safeParse(safeJson(text));
      return { kind: 'gap', expectedSeq: gap.success ? gap.data.expectedSeq : undefined, reason };
    }
    if (!response.ok) return { kind: 'rejected', reason };
    try {
      return { kind: 'ok', body: parse(safeJson(text)) };
    } catch (error) {
      return { kind: 'rejected', reason: `${path}: unexpected response: ${errorMessage(error)}` };
    }
  }

  return {
    enroll: (request, signal) =>
      post('/api/v1/edges/enroll', request, (json) => EnrollResponse.parse(json), { signal }),
    upload: (batch, token, signal) =>
      post('/api/v1/sync/upload', batch, (json) => UploadAck.parse(json), { token, signal }),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
