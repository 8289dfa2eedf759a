import type { MachineState, StateCondition, StateModelConfig } from '@unison/config';
import type { Quality, SampleValue } from '@unison/contracts';

export interface TagReading {
  value: SampleValue;
  quality: Quality;
  /** When the tag was last heard from, epoch ms. */
  seenMs: number;
}

/** The tags a machine's state depends on: every tag any rule reads. */
export function drivingTags(model: StateModelConfig): string[] {
  const tags = model.rules.flatMap((rule) =>
    (Array.isArray(rule.when) ? rule.when : [rule.when]).map((c) => c.tag),
  );
  return [...new Set(tags)];
}

function holds(condition: StateCondition, value: SampleValue): boolean {
  const { op, value: expected } = condition;
  switch (op) {
    case 'eq':
      return same(value, expected as SampleValue);
    case 'ne':
      return !same(value, expected as SampleValue);
    case 'gt':
      return typeof value === 'number' && value > (expected as number);
    case 'lt':
      return typeof value === 'number' && value < (expected as number);
    case 'in':
      return (expected as SampleValue[]).some((one) => same(value, one));
  }
}

// A PLC may send 1 where the config says "1", or true where it says 1: compare loosely but predictably.
function same(actual: SampleValue, expected: SampleValue): boolean {
  if (actual === expected) return true;
  if (actual === null || expected === null) return false;
  if (typeof actual === 'boolean' || typeof expected === 'boolean')
    return Number(actual) === Number(expected);
  return String(actual) === String(expected);
}

/**
 * The machine's state from its latest tag readings: `offline` while a driving tag is missing, bad
 * or (with `staleAfterMs`) silent too long; otherwise the first rule that holds, else the default.
 */
export function evaluateState(
  model: StateModelConfig,
  readings: ReadonlyMap<string, TagReading>,
  nowMs: number,
): MachineState {
  for (const tag of drivingTags(model)) {
    const reading = readings.get(tag);
    if (!reading || reading.quality === 'bad') return 'offline';
    if (model.staleAfterMs !== undefined && nowMs - reading.seenMs > model.staleAfterMs) return 'offline';
  }
  for (const rule of model.rules) {
    const conditions = Array.isArray(rule.when) ? rule.when : [rule.when];
    if (conditions.every((c) => holds(c, readings.get(c.tag)?.value ?? null))) return rule.state;
  }
  return model.default;
}

/** When the first driving tag went stale, or undefined while none is. */
export function staleSince(
  model: StateModelConfig,
  readings: ReadonlyMap<string, TagReading>,
  nowMs: number,
): number | undefined {
  if (model.staleAfterMs === undefined) return undefined;
  const since = drivingTags(model)
    .map((tag) => readings.get(tag))
    .filter((r): r is TagReading => r !== undefined && nowMs - r.seenMs > model.staleAfterMs!)
    .map((r) => r.seenMs + model.staleAfterMs!);
  return since.length > 0 ? Math.min(...since) : undefined;
}
