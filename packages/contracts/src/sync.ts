import { z } from 'zod';
import { MachineCode, Quality, SampleValue, TagName } from './sample.ts';

export const SAMPLE_STREAM = 'samples';

/** One outbox record on the wire: a sample with its place in the edge's stream. */
export const UploadRecord = z.strictObject({
  seq: z.number().int().positive(),
  id: z.uuid(),
  machine: MachineCode,
  tag: TagName,
  ts: z.iso.datetime({ offset: true }),
  value: SampleValue,
  quality: Quality,
});
export type UploadRecord = z.infer<typeof UploadRecord>;

/**
 * A batch of consecutive records of one stream. `epoch` identifies the edge database that produced
 * them (a UUIDv7, so a recreated database has a later epoch than the one it replaced).
 */
export const UploadBatch = z
  .strictObject({
    stream: z.literal(SAMPLE_STREAM),
    epoch: z.uuid(),
    records: z.array(UploadRecord).min(1).max(5000),
  })
  .superRefine((batch, ctx) => {
    for (let i = 1; i < batch.records.length; i++) {
      if (batch.records[i]!.seq !== batch.records[i - 1]!.seq + 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['records', i, 'seq'],
          message: `records must be consecutive: expected seq ${batch.records[i - 1]!.seq + 1}`,
        });
        return;
      }
    }
  });
export type UploadBatch = z.infer<typeof UploadBatch>;

export const UploadAck = z.object({
  stream: z.string(),
  epoch: z.uuid(),
  /** Highest seq the cloud holds for this stream and epoch; the edge may delete up to here. */
  ackedSeq: z.number().int().nonnegative(),
  written: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
});
export type UploadAck = z.infer<typeof UploadAck>;

/** 409 body when a batch does not continue the stream: the edge resends from `expectedSeq`. */
export const UploadGap = z.object({
  type: z.string(),
  title: z.string(),
  status: z.literal(409),
  detail: z.string(),
  expectedSeq: z.number().int().positive().optional(),
});
