import { z } from 'zod';

/** OPC UA style quality, reduced to what a consumer acts on. */
export const Quality = z.enum(['good', 'uncertain', 'bad']);
export type Quality = z.infer<typeof Quality>;

/** A tag value as it travels: never NaN or Infinity (those become null with bad quality). */
export const SampleValue = z.union([z.number().finite(), z.string().max(4096), z.boolean(), z.null()]);
export type SampleValue = z.infer<typeof SampleValue>;

export const MachineCode = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'letters, digits, dot, dash and underscore; starts with a letter or digit',
  );

export const TagName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'letters, digits, dot, dash, slash and underscore');

/** One observation of one tag of one machine, as a connector produces it. */
export interface Sample {
  machine: string;
  tag: string;
  /** Source or receive time, epoch milliseconds. */
  tsMs: number;
  value: SampleValue;
  quality: Quality;
  /** A late, back-filled value (Sparkplug `is_historical`): stored, but never the tag's latest value. */
  historical?: true;
}
