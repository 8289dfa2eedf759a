export type CounterStep =
  | { kind: 'count'; delta: number; rollover: boolean }
  | { kind: 'reset'; from: number; to: number };

export interface CounterStepOptions {
  bits: 16 | 32;
  /** Most counts the machine can have made between the two readings; unknown: a sixteenth of the range. */
  maxDelta?: number;
}

/** Reads any number as the register would hold it: a signed read of a full register wraps into range. */
export function inRange(value: number, bits: 16 | 32): number {
  const range = 2 ** bits;
  return ((Math.trunc(value) % range) + range) % range;
}

/**
 * The counts between two readings of a counter register. A drop is a rollover only when the wrapped
 * delta is one the machine could have made; anything else is a reset (a PLC restart, a shift clear).
 */
export function counterStep(
  previous: number,
  next: number,
  { bits, maxDelta }: CounterStepOptions,
): CounterStep {
  const range = 2 ** bits;
  const from = inRange(previous, bits);
  const to = inRange(next, bits);
  if (to >= from) return { kind: 'count', delta: to - from, rollover: false };
  const wrapped = range - from + to;
  const limit = Math.min(maxDelta ?? range / 16, range / 2);
  return wrapped <= limit ? { kind: 'count', delta: wrapped, rollover: true } : { kind: 'reset', from, to };
}

/** Counts a machine with this ideal cycle time could make in `elapsedMs`, with room for jitter. */
export function maxCountsIn(elapsedMs: number, maxRatePerS: number): number {
  return Math.ceil((Math.max(0, elapsedMs) / 1000) * maxRatePerS * 2) + 2;
}
