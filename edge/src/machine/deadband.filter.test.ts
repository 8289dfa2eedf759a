import { Machine } from '@unison/config';
import type { Quality, Sample, SampleValue } from '@unison/contracts';
import { describe, expect, it } from 'vitest';
import { createSampleFilter, DEFAULT_MAX_SILENCE_MS } from './deadband.filter.ts';

const machine = Machine.parse({
  id: 'cnc-1',
  name: 'CNC 1',
  report: {
    maxSilenceMs: 60_000,
    deadband: { temperature: { absolute: 0.5 }, speed: { percent: 2 } },
  },
});
const sample = (tag: string, value: SampleValue, tsMs: number, quality: Quality = 'good'): Sample => ({
  machine: 'cnc-1',
  tag,
  value,
  tsMs,
  quality,
});
const values = (samples: Sample[]) => samples.map((s) => s.value);

describe('report by exception', () => {
  it('records a first value, changes beyond the absolute deadband, and drops the jitter', () => {
    const filter = createSampleFilter([machine]);
    const temperatures = [40, 40.2, 39.7, 40.6, 40.9, 41.2, 38];
    const kept = temperatures.flatMap((t, i) => filter.pass([sample('temperature', t, i * 100)]));
    expect(values(kept)).toEqual([40, 40.6, 41.2, 38]);
    expect(filter.stats()).toMatchObject({ passed: 4, suppressed: 3 });
  });

  it('uses a percent deadband relative to the last recorded value', () => {
    const filter = createSampleFilter([machine]);
    const kept = [8000, 8100, 8159, 8161, 7990].flatMap((rpm, i) => filter.pass([sample('speed', rpm, i)]));
    expect(values(kept)).toEqual([8000, 8161, 7990]);
  });

  it('records every change of a tag without a deadband, and nothing while it stays the same', () => {
    const filter = createSampleFilter([machine]);
    const kept = ['idle', 'idle', 'running', 'running', 'idle'].flatMap((s, i) =>
      filter.pass([sample('state', s, i)]),
    );
    expect(values(kept)).toEqual(['idle', 'running', 'idle']);
  });

  it('always records a change of quality', () => {
    const filter = createSampleFilter([machine]);
    const kept = [
      ...filter.pass([sample('temperature', 40, 0)]),
      ...filter.pass([sample('temperature', 40, 1, 'uncertain')]),
      ...filter.pass([sample('temperature', null, 2, 'bad')]),
      ...filter.pass([sample('temperature', 40.1, 3)]),
    ];
    expect(kept.map((s) => s.quality)).toEqual(['good', 'uncertain', 'bad', 'good']);
  });

  it('confirms a steady value after the max silence interval, with the latest reading', () => {
    const filter = createSampleFilter([machine]);
    filter.pass([sample('temperature', 40, 0)]);
    filter.pass([sample('temperature', 40.1, 30_000)]);
    expect(filter.due(59_999)).toEqual([]);
    expect(filter.due(60_000)).toEqual([sample('temperature', 40.1, 30_000)]);
    expect(filter.due(100_000)).toEqual([]);
    // Nothing new came in: the same value, confirmed at the time of the check.
    expect(filter.due(120_000)).toEqual([sample('temperature', 40.1, 120_000)]);
    expect(filter.stats().confirmed).toBe(2);
  });

  it('confirms tags of machines without report settings after the default interval', () => {
    const filter = createSampleFilter([Machine.parse({ id: 'press-1', name: 'Press 1' })]);
    filter.pass([{ ...sample('state', 'running', 0), machine: 'press-1' }]);
    expect(filter.due(DEFAULT_MAX_SILENCE_MS - 1)).toEqual([]);
    expect(filter.due(DEFAULT_MAX_SILENCE_MS)).toHaveLength(1);
  });

  it('passes back-filled and late samples through without comparing against them', () => {
    const filter = createSampleFilter([machine]);
    filter.pass([sample('temperature', 40, 1_000)]);
    expect(filter.pass([{ ...sample('temperature', 40, 500), historical: true }])).toHaveLength(1);
    expect(filter.pass([sample('temperature', 40, 900)])).toHaveLength(1);
    expect(filter.pass([sample('temperature', 40.1, 1_100)])).toEqual([]);
  });
});
