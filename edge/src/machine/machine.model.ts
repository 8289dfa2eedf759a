import type { CounterConfig, MachineConfig, MachineState } from '@unison/config';
import type { EmitEvent, Sample } from '@unison/contracts';
import { uuidv7 } from 'uuidv7';
import { counterStep, maxCountsIn } from './counter.ts';
import { evaluateState, staleSince, type TagReading } from './state.rules.ts';

export const MACHINE_EVENT_SOURCE = 'machine-model';

export interface MachineStatus {
  machine: string;
  /** Undefined until the driving tags have been heard from. */
  state?: MachineState;
  sinceMs?: number;
  product?: string;
  idealCycleTimeS?: number;
  good: number;
  scrap: number;
  resets: number;
}

export interface MachineModel {
  /** Takes this machine's samples, in arrival order; emits the events they cause. */
  observe(samples: readonly Sample[]): void;
  /** Re-evaluates time-based rules (stale tags) at `nowMs`. */
  tick(nowMs: number): void;
  status(): MachineStatus;
}

interface CounterTrack {
  name: 'good' | 'scrap';
  config: CounterConfig;
  value?: number;
  seenMs?: number;
}

/** One machine's state and counters, turned into `machine.state`, `machine.count` and `machine.counter-reset` events. */
export function createMachineModel(
  config: MachineConfig,
  { emitEvent, newId = uuidv7 }: { emitEvent: EmitEvent; newId?: () => string },
): MachineModel {
  const readings = new Map<string, TagReading>();
  const counters: CounterTrack[] = (['good', 'scrap'] as const)
    .map((name) => ({ name, config: config.counters?.[name] }))
    .filter((c): c is CounterTrack => c.config !== undefined);
  const totals = { good: 0, scrap: 0, resets: 0 };
  let state: MachineState | undefined;
  let sinceMs = 0;
  let countedFromMs: number | undefined;

  const emit = (type: string, tsMs: number, payload: Record<string, unknown>, durationMs?: number) =>
    emitEvent({
      id: newId(),
      type,
      machine: config.id,
      source: MACHINE_EVENT_SOURCE,
      tsMs,
      ...(durationMs === undefined ? {} : { durationMs }),
      payload,
    });

  const product = (): string | undefined => {
    const tag = config.product?.tag;
    const fromTag = tag === undefined ? undefined : readings.get(tag);
    if (fromTag && fromTag.quality !== 'bad' && fromTag.value !== null && fromTag.value !== '')
      return String(fromTag.value);
    return config.product?.default;
  };
  const idealCycleTimeS = (): number | undefined => {
    const active = product();
    return config.products?.find((p) => p.id === active)?.idealCycleTimeS ?? config.idealCycleTimeS;
  };

  function moveTo(next: MachineState, atMs: number) {
    if (next === state) return;
    const endedMs = Math.max(atMs, sinceMs);
    if (state !== undefined) {
      emit(
        'machine.state',
        endedMs,
        { state, nextState: next, startedMs: sinceMs, endedMs, product: product() ?? null },
        endedMs - sinceMs,
      );
    }
    state = next;
    sinceMs = endedMs;
  }

  function count(track: CounterTrack, value: number, tsMs: number): number {
    const previous = track.value;
    const previousMs = track.seenMs ?? tsMs;
    track.value = value;
    track.seenMs = tsMs;
    if (previous === undefined) return 0;
    const rate = track.config.maxRatePerS ?? (idealCycleTimeS() ? 1 / idealCycleTimeS()! : undefined);
    const maxDelta = rate === undefined ? undefined : maxCountsIn(tsMs - previousMs, rate);
    const step = counterStep(previous, value, { bits: track.config.bits, maxDelta });
    if (step.kind === 'count') return step.delta;
    totals.resets++;
    emit('machine.counter-reset', tsMs, {
      counter: track.name,
      tag: track.config.tag,
      from: step.from,
      to: step.to,
    });
    return 0;
  }

  return {
    observe(samples) {
      let latestMs: number | undefined;
      const delta = { good: 0, scrap: 0 };
      for (const sample of samples) {
        if (sample.machine !== config.id || sample.historical) continue;
        latestMs = Math.max(latestMs ?? sample.tsMs, sample.tsMs);
        readings.set(sample.tag, { value: sample.value, quality: sample.quality, seenMs: sample.tsMs });
        const track = counters.find((c) => c.config.tag === sample.tag);
        if (
          track &&
          sample.quality !== 'bad' &&
          typeof sample.value === 'number' &&
          Number.isFinite(sample.value)
        )
          delta[track.name] += count(track, sample.value, sample.tsMs);
      }
      if (latestMs === undefined) return;
      if (countedFromMs === undefined) countedFromMs = latestMs;
      if (delta.good !== 0 || delta.scrap !== 0) {
        const fromMs = Math.min(countedFromMs, latestMs);
        totals.good += delta.good;
        totals.scrap += delta.scrap;
        emit(
          'machine.count',
          latestMs,
          {
            ...delta,
            fromMs,
            toMs: latestMs,
            product: product() ?? null,
            idealCycleTimeS: idealCycleTimeS() ?? null,
          },
          latestMs - fromMs,
        );
        countedFromMs = latestMs;
      }
      if (config.state) moveTo(evaluateState(config.state, readings, latestMs), latestMs);
    },
    tick(nowMs) {
      if (!config.state || state === undefined || state === 'offline') return;
      const since = staleSince(config.state, readings, nowMs);
      if (since !== undefined) moveTo('offline', since);
    },
    status: () => ({
      machine: config.id,
      ...(state === undefined ? {} : { state, sinceMs }),
      product: product(),
      idealCycleTimeS: idealCycleTimeS(),
      ...totals,
    }),
  };
}
