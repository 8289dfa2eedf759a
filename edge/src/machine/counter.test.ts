import { describe, expect, it } from 'vitest';
import { counterStep, inRange, maxCountsIn } from './counter.ts';

describe('counter steps', () => {
  it('counts an increase', () => {
    expect(counterStep(100, 103, { bits: 32 })).toEqual({ kind: 'count', delta: 3, rollover: false });
  });

  it('tells a 16-bit rollover 0xFFFF → 0 from a reset to 0', () => {
    expect(counterStep(0xffff, 0, { bits: 16 })).toEqual({ kind: 'count', delta: 1, rollover: true });
    expect(counterStep(0xfffe, 3, { bits: 16 })).toEqual({ kind: 'count', delta: 5, rollover: true });
    expect(counterStep(30_000, 0, { bits: 16 })).toEqual({ kind: 'reset', from: 30_000, to: 0 });
  });

  it('tells a 32-bit rollover 0xFFFFFFFF → 0 from a PLC reset to 0', () => {
    expect(counterStep(0xffffffff, 0, { bits: 32 })).toEqual({ kind: 'count', delta: 1, rollover: true });
    expect(counterStep(1_234_567, 0, { bits: 32 })).toEqual({ kind: 'reset', from: 1_234_567, to: 0 });
  });

  it('calls a drop a reset when the machine could not have made the wrapped counts', () => {
    // 0xFFFFFF00 → 0 wraps by 256, but at two parts a second over 10 s at most ~42 fit.
    const maxDelta = maxCountsIn(10_000, 2);
    expect(counterStep(0xffffff00, 0, { bits: 32, maxDelta })).toEqual({
      kind: 'reset',
      from: 0xffffff00,
      to: 0,
    });
    expect(counterStep(0xfffffff0, 4, { bits: 32, maxDelta })).toMatchObject({ kind: 'count', delta: 20 });
  });

  it('reads a counter that came in as signed the way the register holds it', () => {
    expect(inRange(-1, 16)).toBe(0xffff);
    expect(counterStep(-1, 0, { bits: 16 })).toEqual({ kind: 'count', delta: 1, rollover: true });
  });
});
