import { randomUUID } from 'node:crypto';
import type { EdgeEvent, Sample } from '@unison/contracts';

export const cloudRetry = { initialDelayMs: 20, maxDelayMs: 250 };

/** Feeds samples and events into a recorder on a timer, like a busy line would; `now` stamps them. */
export function startLoad(
  recorder: { record(samples: Sample[]): void; recordEvent(event: EdgeEvent): void },
  { samplesPerTick = 40, tickMs = 10, eventEveryTicks = 3, payloadBytes = 0, now = Date.now } = {},
) {
  let tick = 0;
  let value = 0;
  const timer = setInterval(() => {
    tick += 1;
    const tsMs = now();
    recorder.record(
      Array.from({ length: samplesPerTick }, () => ({
        machine: 'press-1',
        tag: 'speed',
        tsMs,
        value: value++,
        quality: 'good' as const,
      })),
    );
    if (tick % eventEveryTicks === 0) recorder.recordEvent(countEvent(tick, payloadBytes, tsMs));
  }, tickMs);
  return {
    stop: () => clearInterval(timer),
    produced: () => ({ samples: value, ticks: tick }),
  };
}

export function countEvent(n: number, payloadBytes = 0, tsMs = Date.now()): EdgeEvent {
  return {
    id: randomUUID(),
    type: 'machine.count',
    machine: 'press-1',
    source: 'faults-load',
    tsMs,
    payload: { good: n, ...(payloadBytes > 0 ? { note: 'x'.repeat(payloadBytes) } : {}) },
  };
}
