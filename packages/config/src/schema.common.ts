import { MachineCode, TagName } from '@unison/contracts';
import { z } from 'zod';

/** Numbers may come from `${ENV}` interpolation as strings; accept "502" where 502 is meant. */
export const num = <T extends z.ZodNumber>(schema: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
    schema,
  );

export const port = num(z.number().int().min(0).max(65535));
export const durationMs = num(z.number().int().min(10).max(86_400_000));

export const tagRef = { machine: MachineCode, tag: TagName };

export const ReconnectPolicy = z.strictObject({
  initialDelayMs: durationMs.default(500),
  maxDelayMs: durationMs.default(30_000),
});
