import type { Clock } from './element.types.ts';
import type { LintContext } from './linters.types.ts';

export const systemClock: Clock = { now: () => new Date() };

/** Reads the clock at most once per message, and only when a date needs it. */
export function lintContextFor(clock: Clock = systemClock): LintContext {
  let year: number | undefined;
  return { currentYear: () => (year ??= clock.now().getUTCFullYear()) };
}
