import { StateModel } from '@unison/config';
import type { Quality, SampleValue } from '@unison/contracts';
import { describe, expect, it } from 'vitest';
import { evaluateState, staleSince, type TagReading } from './state.rules.ts';

const model = StateModel.parse({
  rules: [
    { state: 'down', when: { tag: 'alarm', op: 'eq', value: true } },
    { state: 'planned-stop', when: { tag: 'mode', op: 'eq', value: 'break' } },
    { state: 'setup', when: { tag: 'mode', op: 'in', value: ['setup', 'changeover'] } },
    {
      state: 'running',
      when: [
        { tag: 'speed', op: 'gt', value: 0 },
        { tag: 'mode', op: 'ne', value: 'manual' },
      ],
    },
    { state: 'idle', when: { tag: 'speed', op: 'lt', value: 1 } },
  ],
  default: 'down',
  staleAfterMs: 5000,
});

const at = (values: Record<string, SampleValue>, quality: Quality = 'good', seenMs = 1000) =>
  new Map<string, TagReading>(
    Object.entries(values).map(([tag, value]) => [tag, { value, quality, seenMs }]),
  );

describe('state rules', () => {
  it.each([
    [{ alarm: true, mode: 'auto', speed: 30 }, 'down'],
    [{ alarm: false, mode: 'break', speed: 0 }, 'planned-stop'],
    [{ alarm: false, mode: 'changeover', speed: 0 }, 'setup'],
    [{ alarm: false, mode: 'auto', speed: 30 }, 'running'],
    [{ alarm: false, mode: 'auto', speed: 0 }, 'idle'],
    [{ alarm: false, mode: 'manual', speed: 30 }, 'down'],
  ] as const)('%o is %s (first matching rule, then the default)', (values, state) => {
    expect(evaluateState(model, at(values), 1000)).toBe(state);
  });

  it('compares numbers from the PLC with values written as strings or booleans', () => {
    const codes = StateModel.parse({
      rules: [
        { state: 'running', when: { tag: 'state', op: 'eq', value: 1 } },
        { state: 'down', when: { tag: 'fault', op: 'eq', value: true } },
      ],
    });
    expect(evaluateState(codes, at({ state: '1', fault: 0 }), 0)).toBe('running');
    expect(evaluateState(codes, at({ state: 0, fault: 1 }), 0)).toBe('down');
    expect(evaluateState(codes, at({ state: 0, fault: 0 }), 0)).toBe('idle');
  });

  it('is offline while a driving tag is missing or bad', () => {
    expect(evaluateState(model, at({ alarm: false, mode: 'auto' }), 1000)).toBe('offline');
    expect(evaluateState(model, at({ alarm: null, mode: null, speed: null }, 'bad'), 1000)).toBe('offline');
    expect(evaluateState(model, at({ alarm: false, mode: 'auto', speed: 30 }, 'uncertain'), 1000)).toBe(
      'running',
    );
  });

  it('is offline when a driving tag is silent longer than staleAfterMs, from the moment it went stale', () => {
    const readings = at({ alarm: false, mode: 'auto', speed: 30 }, 'good', 1000);
    expect(evaluateState(model, readings, 6000)).toBe('running');
    expect(staleSince(model, readings, 6000)).toBeUndefined();
    expect(evaluateState(model, readings, 6001)).toBe('offline');
    expect(staleSince(model, readings, 9000)).toBe(6000);
  });

  it('rejects rules that cannot work', () => {
    expect(
      StateModel.safeParse({ rules: [{ state: 'idle', when: { tag: 's', op: 'in', value: 1 } }] }).success,
    ).toBe(false);
    expect(
      StateModel.safeParse({ rules: [{ state: 'idle', when: { tag: 's', op: 'gt', value: 'a' } }] }).success,
    ).toBe(false);
    expect(
      StateModel.safeParse({ rules: [{ state: 'broken', when: { tag: 's', op: 'eq', value: 1 } }] }).success,
    ).toBe(false);
  });
});
