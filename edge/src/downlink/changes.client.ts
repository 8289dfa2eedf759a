import { errorMessage } from '../lib/sleep.ts';
import { type CloudOutcome, parseRetryAfter } from '../uplink/cloud.client.ts';

export interface ChangesRequest {
  cursor: string | null;
  /** Seconds the cloud may hold the request when nothing new has committed. */
  waitS: number;
  token: string;
}

export interface ChangesClient {
  /** The page as JSON, not yet validated: the downlink checks it change by change. */
  changes(request: ChangesRequest, signal?: AbortSignal): Promise<CloudOutcome<unknown>>;
}

export function createChangesClient({
  baseUrl,
  fetch = globalThis.fetch,
  marginMs = 15_000,
}: {
  baseUrl: string;
  fetch?: typeof globalThis.fetch;
  /** How long past the long-poll wait a request may take before it counts as lost. */
  marginMs?: number;
}): ChangesClient {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async changes({ cursor, waitS, token }, signal) {
      const query = new URLSearchParams({ ...(cursor ? { cursor } : {}), wait: String(waitS) });
      const path = '/api/v1/sync/changes';
      const timeout = AbortSignal.timeout(waitS * 1000 + marginMs);
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${base}${path}?${query}`, {
          headers: { accept: 'application/json', authorization: `Bearer ${token}` },
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        text = await response.text();
      } catch (error) {
        return { kind: 'retry', reason: `cloud unreachable: ${errorMessage(error)}` };
      }
      const reason = `${path} answered ${response.status}: ${text.slice(0, 300)}`;
      if (response.status === 429 || response.status === 408 || response.status >= 500) {
        return { kind: 'retry', reason, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
      }
      if (!response.ok) return { kind: 'rejected', reason };
      try {
        return { kind: 'ok', body: JSON.parse(text) as unknown };
      } catch {
        return { kind: 'rejected', reason: `${path}: answer is not JSON: ${text.slice(0, 300)}` };
      }
    },
  };
}
