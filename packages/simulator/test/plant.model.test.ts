import { describe, expect, it } from 'vitest';
import { createPlantModel, type MachineValues } from '../src/index.ts';

const TICKS = 500;

function history(seed: number): Record<string, MachineValues>[] {
  const model = createPlantModel(seed);
  const snapshots = [model.snapshot()];
  for (let tick = 0; tick < TICKS; tick++) {
    model.step();
    snapshots.push(model.snapshot());
  }
  return snapshots;
}

describe('plant model', () => {
  it('gives identical snapshots for the same seed over 500 ticks', () => {
    expect(history(7)).toEqual(history(7));
  });

  it('gives different values for different seeds', () => {
    expect(history(1).at(-1)).not.toEqual(history(2).at(-1));
  });

  it('reaches the same values whether stepped one tick at a time or all at once', () => {
    const batched = createPlantModel(3);
    batched.step(TICKS);
    expect(batched.snapshot()).toEqual(history(3).at(-1));
  });

  it('never turns counters back and keeps values plausible', () => {
    const snapshots = history(42);
    const states = new Set<string>();
    for (let tick = 1; tick < snapshots.length; tick++) {
      for (const [machine, now] of Object.entries(snapshots[tick] ?? {})) {
        const before = snapshots[tick - 1]?.[machine];
        states.add(now.state);
        expect(now.good).toBeGreaterThanOrEqual(before?.good ?? 0);
        expect(now.scrap).toBeGreaterThanOrEqual(before?.scrap ?? 0);
        expect(Number.isInteger(now.good) && now.good < 2 ** 32).toBe(true);
        expect(now.temperature).toBeGreaterThan(10);
        expect(now.temperature).toBeLessThan(80);
        expect(now.speed).toBeGreaterThanOrEqual(0);
        if (now.state === 'running') expect(now.speed).toBeGreaterThan(0);
        else expect(now.speed).toBe(0);
      }
    }
    expect(states).toContain('running');
    expect(states.size).toBeGreaterThan(1);
  });

  it('advances counters while running and not while stopped', () => {
    const model = createPlantModel();
    model.set('press-1', { state: 'running' });
    model.set('cnc-1', { state: 'down' });
    const before = model.snapshot();
    model.step(10);
    const after = model.snapshot();
    const made = (machine: string) =>
      (after[machine]?.good ?? 0) +
      (after[machine]?.scrap ?? 0) -
      (before[machine]?.good ?? 0) -
      (before[machine]?.scrap ?? 0);
    expect(made('press-1')).toBeGreaterThan(0);
    if (after['cnc-1']?.state === 'down') expect(made('cnc-1')).toBe(0);
  });

  it('applies set() and rejects unknown machines and bad values', () => {
    const model = createPlantModel();
    expect(model.set('press-2', { speed: 77.5 }).speed).toBe(77.5);
    expect(model.get('press-2').speed).toBe(77.5);
    expect(model.set('filler-1', { state: 'idle' })).toMatchObject({ state: 'idle', speed: 0 });
    expect(() => model.set('press-9', { speed: 1 })).toThrow(/unknown machine 'press-9'/);
    expect(() => model.set('press-1', { good: -1 })).toThrow(/good/);
    expect(() => model.set('press-1', { good: 2 ** 32 })).toThrow(/good/);
    expect(() => model.set('press-1', { state: 'broken' as MachineValues['state'] })).toThrow(/state/);
    expect(() => model.set('press-1', { speed: Number.NaN })).toThrow(/speed/);
  });

  it('wraps 32-bit counters', () => {
    const model = createPlantModel();
    model.set('filler-1', { state: 'running', speed: 120, good: 2 ** 32 - 1, scrap: 2 ** 32 - 1 });
    model.step(5);
    const { good, scrap } = model.get('filler-1');
    expect(good < 1000 || scrap < 1000).toBe(true);
  });
});
