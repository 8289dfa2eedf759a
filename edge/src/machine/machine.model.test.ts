import { Machine } from '@unison/config';
import type { EdgeEvent, Quality, Sample, SampleValue } from '@unison/contracts';
import { EdgeEvent as EdgeEventSchema } from '@unison/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMachineModel, type MachineModel } from './machine.model.ts';

const config = Machine.parse({
  id: 'press-1',
  name: 'Press 1',
  idealCycleTimeS: 2,
  state: {
    rules: [
      { state: 'running', when: { tag: 'state', op: 'eq', value: 'running' } },
      { state: 'down', when: { tag: 'state', op: 'eq', value: 'down' } },
      { state: 'setup', when: { tag: 'state', op: 'eq', value: 'setup' } },
      { state: 'planned-stop', when: { tag: 'state', op: 'in', value: ['break', 'maintenance'] } },
    ],
    default: 'idle',
    staleAfterMs: 10_000,
  },
  counters: { good: { tag: 'good', bits: 32 }, scrap: { tag: 'scrap', bits: 16 } },
  products: [{ id: 'P-100', idealCycleTimeS: 1.5 }],
  product: { tag: 'product', default: 'P-200' },
});

let events: EdgeEvent[];
let model: MachineModel;
const sample = (tag: string, value: SampleValue, tsMs: number, quality: Quality = 'good'): Sample => ({
  machine: 'press-1',
  tag,
  value,
  tsMs,
  quality,
});
const ofType = (type: string) => events.filter((e) => e.type === type);

beforeEach(() => {
  events = [];
  model = createMachineModel(config, { emitEvent: (event) => events.push(event) });
});

describe('machine model: state', () => {
  it('emits a state when it ends, with its duration and the next state', () => {
    model.observe([sample('state', 'running', 1_000)]);
    expect(events).toEqual([]);
    model.observe([sample('state', 'down', 61_000)]);
    model.observe([sample('state', 'setup', 91_000)]);
    model.observe([sample('state', 'break', 100_000)]);
    model.observe([sample('state', 'waiting', 130_000)]);
    const states = ofType('machine.state');
    expect(states.map((e) => [e.payload.state, e.payload.nextState, e.durationMs])).toEqual([
      ['running', 'down', 60_000],
      ['down', 'setup', 30_000],
      ['setup', 'planned-stop', 9_000],
      ['planned-stop', 'idle', 30_000],
    ]);
    expect(states[0]).toMatchObject({
      machine: 'press-1',
      source: 'machine-model',
      tsMs: 61_000,
      payload: { startedMs: 1_000, endedMs: 61_000, product: 'P-200' },
    });
    for (const event of events) expect(EdgeEventSchema.safeParse(event).success).toBe(true);
    expect(model.status()).toMatchObject({ state: 'idle', sinceMs: 130_000 });
  });

  it('emits nothing while the state stays the same', () => {
    model.observe([sample('state', 'running', 1_000)]);
    model.observe([sample('state', 'running', 2_000), sample('speed', 31, 2_000)]);
    expect(ofType('machine.state')).toEqual([]);
  });

  it('goes offline on bad quality and back when the tag recovers', () => {
    model.observe([sample('state', 'running', 1_000)]);
    model.observe([sample('state', null, 5_000, 'bad')]);
    model.observe([sample('state', 'running', 8_000)]);
    expect(ofType('machine.state').map((e) => [e.payload.state, e.payload.nextState, e.durationMs])).toEqual([
      ['running', 'offline', 4_000],
      ['offline', 'running', 3_000],
    ]);
  });

  it('goes offline when the driving tag is stale, dated when it went stale', () => {
    model.observe([sample('state', 'running', 1_000)]);
    model.tick(10_000);
    expect(events).toEqual([]);
    model.tick(20_000);
    expect(ofType('machine.state')).toEqual([
      expect.objectContaining({
        durationMs: 10_000,
        payload: expect.objectContaining({ nextState: 'offline' }),
      }),
    ]);
    expect(model.status()).toMatchObject({ state: 'offline', sinceMs: 11_000 });
  });

  it('never reports a negative duration for a sample older than the current state', () => {
    model.observe([sample('state', 'running', 5_000)]);
    model.observe([sample('state', 'down', 4_000)]);
    expect(ofType('machine.state')[0]!.durationMs).toBe(0);
  });
});

describe('machine model: counters', () => {
  it('emits count deltas with the interval they cover and the ideal cycle time of the product', () => {
    model.observe([sample('good', 100, 1_000), sample('scrap', 5, 1_000)]);
    expect(ofType('machine.count')).toEqual([]);
    model.observe([sample('good', 110, 21_000), sample('scrap', 6, 21_000)]);
    model.observe([sample('product', 'P-100', 30_000), sample('good', 116, 31_000)]);
    const counts = ofType('machine.count');
    expect(
      counts.map((e) => [e.payload.good, e.payload.scrap, e.payload.fromMs, e.payload.toMs, e.durationMs]),
    ).toEqual([
      [10, 1, 1_000, 21_000, 20_000],
      [6, 0, 21_000, 31_000, 10_000],
    ]);
    expect(counts[0]!.payload).toMatchObject({ product: 'P-200', idealCycleTimeS: 2 });
    expect(counts[1]!.payload).toMatchObject({ product: 'P-100', idealCycleTimeS: 1.5 });
    expect(model.status()).toMatchObject({ good: 16, scrap: 1, product: 'P-100', idealCycleTimeS: 1.5 });
  });

  it('counts a 32-bit rollover 0xFFFFFFFF → 0 and a 16-bit one 0xFFFF → 0', () => {
    model.observe([sample('good', 0xffffffff, 1_000), sample('scrap', 0xffff, 1_000)]);
    model.observe([sample('good', 0, 3_000), sample('scrap', 0, 3_000)]);
    expect(ofType('machine.counter-reset')).toEqual([]);
    expect(ofType('machine.count')[0]!.payload).toMatchObject({ good: 1, scrap: 1 });
  });

  it('treats a PLC reset to 0 as a reset: an event, no counts, counting on from the new value', () => {
    model.observe([sample('good', 4_000, 1_000)]);
    model.observe([sample('good', 0, 3_000)]);
    model.observe([sample('good', 2, 7_000)]);
    expect(ofType('machine.counter-reset')).toEqual([
      expect.objectContaining({ tsMs: 3_000, payload: { counter: 'good', tag: 'good', from: 4_000, to: 0 } }),
    ]);
    expect(ofType('machine.count').map((e) => e.payload.good)).toEqual([2]);
    expect(model.status()).toMatchObject({ good: 2, resets: 1 });
  });

  it('calls a wrap the machine could not have made in the time a reset', () => {
    // 0xFFFFFF00 → 0 is 256 counts in 2 s; at 1.5 s ideal cycle that is impossible.
    model.observe([sample('good', 0xffffff00, 1_000)]);
    model.observe([sample('good', 0, 3_000)]);
    expect(ofType('machine.counter-reset')).toHaveLength(1);
    expect(ofType('machine.count')).toEqual([]);
  });

  it('ignores bad counter readings and counts across them', () => {
    model.observe([sample('good', 10, 1_000)]);
    model.observe([sample('good', null, 2_000, 'bad')]);
    model.observe([sample('good', 14, 9_000)]);
    expect(ofType('machine.count').map((e) => e.payload.good)).toEqual([4]);
  });

  it('ignores other machines and back-filled history', () => {
    model.observe([{ ...sample('state', 'running', 1_000), machine: 'press-2' }]);
    model.observe([{ ...sample('good', 5, 1_000), historical: true }]);
    expect(model.status()).not.toHaveProperty('state');
    expect(events).toEqual([]);
  });
});
