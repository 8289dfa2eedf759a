import { z } from '@hono/zod-openapi';
import { Quality, SampleValue } from '@unison/contracts';
import { Timestamp } from '../plants/plants.schema.ts';
import { storedValue } from './machines.schema.ts';

export const MAX_SAMPLES_PAGE = 10_000;
export const MAX_SAMPLES_WINDOW_MS = 31 * 24 * 60 * 60 * 1000;
export const DEFAULT_SAMPLES_WINDOW_MS = 60 * 60 * 1000;

export const SamplesQuery = z.strictObject({
  tag: z.string().min(1).max(200).optional().openapi({ description: 'Only this tag; every tag when absent' }),
  from: Timestamp.optional().openapi({ description: 'Inclusive start; defaults to one hour before `to`' }),
  to: Timestamp.optional().openapi({ description: 'Exclusive end; defaults to now' }),
  bucket: z
    .enum(['raw', '1m'])
    .default('raw')
    .openapi({ description: 'raw samples, or 1-minute buckets (every bucket starting in the window)' }),
  limit: z.coerce.number().int().min(1).max(MAX_SAMPLES_PAGE).default(1000).openapi({ example: 1000 }),
});
export type SamplesQuery = z.infer<typeof SamplesQuery>;

export const RawSample = z
  .object({ tag: z.string(), ts: Timestamp, value: SampleValue, quality: Quality })
  .openapi('RawSample');

export const MinuteBucket = z
  .object({
    tag: z.string(),
    bucket: Timestamp.openapi({ description: 'Start of the minute' }),
    count: z.number().int(),
    min: z.number().nullable(),
    max: z.number().nullable(),
    avg: z.number().nullable(),
    last: SampleValue.describe('The value of the latest sample in the minute'),
  })
  .openapi('MinuteBucket');

const page = {
  machineId: z.uuid(),
  from: Timestamp,
  to: Timestamp,
  nextFrom: Timestamp.nullable().openapi({
    description: 'When the page was cut by `limit`: the `from` of the next page; null on the last page',
  }),
};

export const SamplesPage = z
  .discriminatedUnion('bucket', [
    z.object({ bucket: z.literal('raw'), ...page, items: z.array(RawSample) }),
    z.object({ bucket: z.literal('1m'), ...page, items: z.array(MinuteBucket) }),
  ])
  .openapi('SamplesPage');
export type SamplesPage = z.infer<typeof SamplesPage>;

export interface RawSampleRow {
  tag: string;
  ts: Date;
  value_num: number | null;
  value_text: string | null;
  value_bool: boolean | null;
  quality: 'good' | 'uncertain' | 'bad';
}

export interface MinuteBucketRow {
  bucket: Date;
  tag: string;
  sample_count: string | number;
  num_min: number | null;
  num_max: number | null;
  num_avg: number | null;
  last_num: number | null;
  last_text: string | null;
  last_bool: boolean | null;
}

export const toRawSample = (row: RawSampleRow) => ({
  tag: row.tag,
  ts: row.ts.toISOString(),
  value: storedValue({ num: row.value_num, text: row.value_text, bool: row.value_bool }),
  quality: row.quality,
});

export const toMinuteBucket = (row: MinuteBucketRow) => ({
  tag: row.tag,
  bucket: row.bucket.toISOString(),
  count: Number(row.sample_count),
  min: row.num_min,
  max: row.num_max,
  avg: row.num_avg,
  last: storedValue({ num: row.last_num, text: row.last_text, bool: row.last_bool }),
});
