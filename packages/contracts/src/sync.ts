import { z } from 'zod';
import { MachineCode, Quality, SampleValue, TagName } from './sample.ts';

export const SAMPLE_STREAM = 'samples';
export const EVENT_STREAM = 'events';
/** The edge's upload streams, in the order they are served when both have a backlog. */
export const SYNC_STREAMS = [EVENT_STREAM, SAMPLE_STREAM] as const;
export type SyncStream = (typeof SYNC_STREAMS)[number];

/** Most records one batch may carry. */
export const MAX_BATCH_RECORDS = 5000;

const seq = z.number().int().positive();

/** One outbox record of the samples stream on the wire: a sample with its place in the stream. */
export const UploadRecord = z.strictObject({
  seq,
  id: z.uuid(),
  machine: MachineCode,
  tag: TagName,
  ts: z.iso.datetime({ offset: true }),
  value: SampleValue,
  quality: Quality,
});
export type UploadRecord = z.infer<typeof UploadRecord>;

/** One outbox record of the events stream on the wire (an `EdgeEvent` with its seq, `ts` as ISO text). */
export const UploadEventRecord = z.strictObject({
  seq,
  id: z.uuid(),
  type: z.string().regex(/^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*)+$/, 'dotted lowercase kind like machine.state'),
  machine: MachineCode.optional(),
  source: z.string().min(1).max(128),
  ts: z.iso.datetime({ offset: true }),
  durationMs: z.number().int().nonnegative().optional(),
  payload: z.record(z.string(), z.unknown()),
});
export type UploadEventRecord = z.infer<typeof UploadEventRecord>;

function consecutive(records: { seq: number }[], ctx: z.RefinementCtx) {
  for (let i = 1; i < records.length; i++) {
    if (records[i]!.seq !== records[i - 1]!.seq + 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['records', i, 'seq'],
        message: `records must be consecutive: expected seq ${records[i - 1]!.seq + 1}`,
      });
      return;
    }
  }
}

const envelope = {
  /** The edge database that produced the records (a UUIDv7: a recreated database has a later one). */
  epoch: z.uuid(),
};

/**
 * Samples may be dropped unsent when the edge's buffer is full: every seq at or below
 * `droppedThroughSeq` that the cloud does not hold was dropped on purpose, so a hole there is no gap.
 */
const droppedThroughSeq = z.number().int().nonnegative().optional();

export const SampleBatch = z.strictObject({
  stream: z.literal(SAMPLE_STREAM),
  ...envelope,
  droppedThroughSeq,
  records: z.array(UploadRecord).min(1).max(MAX_BATCH_RECORDS),
});

/** Events are never dropped, so an events batch has no `droppedThroughSeq`. */
export const EventBatch = z.strictObject({
  stream: z.literal(EVENT_STREAM),
  ...envelope,
  records: z.array(UploadEventRecord).min(1).max(MAX_BATCH_RECORDS),
});

/** A batch of consecutive records of one stream, as the edge sends it. */
export const UploadBatch = z
  .discriminatedUnion('stream', [SampleBatch, EventBatch])
  .superRefine((batch, ctx) => consecutive(batch.records, ctx));
export type UploadBatch = z.infer<typeof UploadBatch>;

/**
 * What the cloud checks of a batch as a whole. Records are checked one by one afterwards, so one
 * record that can never be accepted is quarantined instead of refusing its neighbours.
 */
export const UploadEnvelope = z
  .discriminatedUnion('stream', [
    z.strictObject({
      stream: z.literal(SAMPLE_STREAM),
      ...envelope,
      droppedThroughSeq,
      records: z.array(z.looseObject({ seq })).min(1).max(MAX_BATCH_RECORDS),
    }),
    z.strictObject({
      stream: z.literal(EVENT_STREAM),
      ...envelope,
      records: z.array(z.looseObject({ seq })).min(1).max(MAX_BATCH_RECORDS),
    }),
  ])
  .superRefine((batch, ctx) => consecutive(batch.records, ctx));
export type UploadEnvelope = z.infer<typeof UploadEnvelope>;

export const UploadAck = z.object({
  stream: z.string(),
  epoch: z.uuid(),
  /** Highest seq the cloud holds for this stream and epoch; the edge may delete up to here. */
  ackedSeq: z.number().int().nonnegative(),
  written: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  /** Records that can never be accepted: kept aside in the cloud with their reason, and acknowledged. */
  quarantined: z.number().int().nonnegative().optional(),
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
