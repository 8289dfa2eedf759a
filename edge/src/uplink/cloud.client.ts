import { subscribe } from 'node:diagnostics_channel';
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

/** A request body ready to send: JSON text, gzip-compressed when large enough. */
export interface EncodedBody {
  payload: Uint8Array<ArrayBuffer> | string;
  gzip: boolean;
}

/** Who waits for their upload's body to be on the wire, by the request's authorization header. */
const awaitingBodySent = new Map<string, () => void>();
// fetch (undici) reports when a request's body has been written; the header tells which request it was.
subscribe('undici:request:bodySent', (message) => {
  if (awaitingBodySent.size === 0) return;
  const authorization = headerValue((message as { request?: { headers?: unknown } }).request?.headers);
  if (authorization === undefined) return;
  const sent = awaitingBodySent.get(authorization);
  awaitingBodySent.delete(authorization);
  sent?.();
});

function headerValue(headers: unknown, name = 'authorization'): string | undefined {
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    }
    return undefined;
  }
  if (typeof headers === 'string') {
    return new RegExp(`^${name}:\\s*(.*?)\\r?$`, 'im').exec(headers)?.[1];
  }
  return undefined;
}

/** What a call's result means for the caller: go on, resend from elsewhere, retry later, or stop and tell. */
export type CloudOutcome<T> =
  | { kind: 'ok'; body: T }
  | { kind: 'gap'; expectedSeq?: number; reason: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'rejected'; reason: string };

export interface CloudClient {
  enroll(request: EnrollRequest, signal?: AbortSignal): Promise<CloudOutcome<EnrollResponse>>;
  /** Compresses an upload's JSON text as `upload` would, so it can be done ahead of sending. */
  encode(json: string): Promise<EncodedBody>;
  /** Sends a batch, or a body `encode` made; `onSent` runs once the body is on the wire (at the latest, with the answer). */
  upload(
    batch: UploadBatch | EncodedBody,
    token: string,
    signal?: AbortSignal,
    onSent?: () => void,
  ): Promise<CloudOutcome<UploadAck>>;
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
  compressLevel = 1,
  clock,
}: {
  baseUrl: string;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
  /** Bodies from this size on are sent gzip-compressed. */
  compressMinBytes?: number;
  /** gzip level: the fastest compresses an upload batch nearly as well as the default. */
  compressLevel?: number;
  /** Learns the cloud's time from the Date header of every answer. */
  clock?: Pick<CloudClock, 'now' | 'localNow' | 'observe'>;
}): CloudClient {
  const base = baseUrl.replace(/\/+$/, '');

  async function encode(json: string): Promise<EncodedBody> {
    if (Buffer.byteLength(json) < compressMinBytes) return { payload: json, gzip: false };
    return { payload: new Uint8Array(await gzipAsync(json, { level: compressLevel })), gzip: true };
  }

  async function post<T>(
    path: string,
    body: unknown,
    parse: (json: unknown) => T,
    { token, signal, onSent }: { token?: string; signal?: AbortSignal; onSent?: () => void },
  ): Promise<CloudOutcome<T>> {
    let response: Response;
    let sentAtMs: number;
    const authorization = token ? `Bearer ${token}` : undefined;
    let sent = onSent;
    const reportSent = () => {
      sent?.();
      sent = undefined;
    };
    try {
      const timeout = AbortSignal.timeout(timeoutMs);
      const { payload, gzip: compressed } = isEncoded(body) ? body : await encode(JSON.stringify(body));
      sentAtMs = clock?.localNow() ?? Date.now();
      if (authorization && sent) awaitingBodySent.set(authorization, reportSent);
      response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(compressed ? { 'content-encoding': 'gzip' } : {}),
          ...(authorization ? { authorization } : {}),
        },
        body: payload,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      return { kind: 'retry', reason: `cloud unreachable: ${errorMessage(error)}` };
    } finally {
      if (authorization) awaitingBodySent.delete(authorization);
      reportSent();
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
    encode,
    upload: (batch, token, signal, onSent) =>
      post('/api/v1/sync/upload', batch, (json) => UploadAck.parse(json), { token, signal, onSent }),
  };
}

const isEncoded = (body: unknown): body is EncodedBody =>
  typeof body === 'object' && body !== null && 'payload' in body && 'gzip' in body;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
