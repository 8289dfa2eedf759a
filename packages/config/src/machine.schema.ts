import { MachineCode, TagName } from '@unison/contracts';
import { z } from 'zod';
import { durationMs, num } from './schema.common.ts';

export const MachineState = z.enum(['running', 'idle', 'down', 'setup', 'planned-stop', 'offline']);

const Scalar = z.union([z.number(), z.string(), z.boolean()]);

export const StateCondition = z
  .strictObject({
    tag: TagName,
    op: z.enum(['eq', 'ne', 'gt', 'lt', 'in']),
    value: z.union([Scalar, z.array(Scalar).min(1)]),
  })
  .superRefine((condition, ctx) => {
    const list = Array.isArray(condition.value);
    if ((condition.op === 'in') !== list) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message:
          condition.op === 'in' ? 'op "in" takes a list of values' : `op "${condition.op}" takes one value`,
      });
    }
    if ((condition.op === 'gt' || condition.op === 'lt') && typeof condition.value !== 'number') {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `op "${condition.op}" compares with a number`,
      });
    }
  });

export const StateRule = z.strictObject({
  state: MachineState,
  /** One condition, or a list that must all hold. */
  when: z.union([StateCondition, z.array(StateCondition).min(1)]),
});

export const StateModel = z.strictObject({
  /** Tried in order; the first rule whose conditions hold gives the state. */
  rules: z.array(StateRule).min(1),
  /** The state when no rule holds. */
  default: MachineState.default('idle'),
  /**
   * A driving tag not heard from for this long makes the machine offline. Leave it unset for tags
   * that are only reported on change (OPC UA subscriptions, Modbus by exception).
   */
  staleAfterMs: durationMs.optional(),
});

export const CounterConfig = z.strictObject({
  tag: TagName,
  /** Register width; the counter wraps from 2^bits - 1 to 0. */
  bits: z.union([z.literal(16), z.literal(32)], { error: 'must be 16 or 32' }).default(32),
  /** Counts per second the machine can never exceed; defaults from the ideal cycle time. */
  maxRatePerS: num(z.number().positive()).optional(),
});

export const Product = z.strictObject({
  id: z.string().min(1).max(64),
  idealCycleTimeS: num(z.number().positive()),
});

export const Deadband = z.union([
  z.strictObject({ absolute: num(z.number().nonnegative()) }),
  /** Percent of the last recorded value's magnitude. */
  z.strictObject({ percent: num(z.number().nonnegative().max(100)) }),
]);

export const ReportByException = z.strictObject({
  /** A steady value is recorded again after this long, so silence never hides a dead source. */
  maxSilenceMs: durationMs.default(300_000),
  /** Per tag: changes within the band are not recorded; other tags record every change. */
  deadband: z.record(TagName, Deadband).default({}),
});

export const Machine = z.strictObject({
  id: MachineCode,
  name: z.string().min(1).max(128),
  area: z.string().max(64).optional(),
  line: z.string().max(64).optional(),
  idealCycleTimeS: num(z.number().positive()).optional(),
  state: StateModel.optional(),
  counters: z.strictObject({ good: CounterConfig.optional(), scrap: CounterConfig.optional() }).optional(),
  /** Ideal cycle times of the products this machine makes; the machine's own is the fallback. */
  products: z.array(Product).optional(),
  /** Where the active product comes from: a tag carrying its id, else a fixed default. */
  product: z.strictObject({ tag: TagName.optional(), default: z.string().min(1).optional() }).optional(),
  report: ReportByException.optional(),
});

export type MachineState = z.infer<typeof MachineState>;
export type StateCondition = z.infer<typeof StateCondition>;
export type StateRule = z.infer<typeof StateRule>;
export type StateModelConfig = z.infer<typeof StateModel>;
export type CounterConfig = z.infer<typeof CounterConfig>;
export type ProductConfig = z.infer<typeof Product>;
export type DeadbandConfig = z.infer<typeof Deadband>;
export type ReportByExceptionConfig = z.infer<typeof ReportByException>;
