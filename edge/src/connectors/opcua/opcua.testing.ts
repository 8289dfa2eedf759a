import type { Sample } from '@unison/contracts';
import { waitFor } from '@unison/testkit';
import pino, { type Logger } from 'pino';
import type { Connector } from '../connector.ts';

/** A logger whose lines a test can read back. */
export function capturingLog(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

/** Starts a connector into an array, with the probes the tests wait on. */
export async function collect(connector: Connector) {
  const received: Sample[] = [];
  const stop = await connector.start((samples) => received.push(...samples));
  const latest = (tag: string, machine?: string) =>
    received.findLast((s) => s.tag === tag && (machine === undefined || s.machine === machine));
  const until = (what: string, probe: () => boolean, timeoutMs = 10_000) =>
    waitFor(() => (probe() ? true : undefined), { what, timeoutMs, intervalMs: 20 });
  return { received, stop, latest, until };
}
