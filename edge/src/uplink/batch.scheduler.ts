import type { SyncStream, UploadBatch } from '@unison/contracts';
import type { OutboxRecord, OutboxRepository } from '../store/outbox.repository.ts';

export interface PlannedBatch {
  stream: SyncStream;
  records: OutboxRecord[];
  droppedThroughSeq: number;
}

export interface BatchSchedulerOptions {
  outbox: Pick<OutboxRepository, 'head' | 'backlog'>;
  batchSize: number;
  batchMaxBytes: number;
  /** A samples batch that is not full waits this long after the previous one, to gather more. */
  maxAgeMs: number;
  /** Event batches in a row before a waiting samples batch gets its turn, so neither starves. */
  eventBurst?: number;
  now?: () => number;
}

export function toUploadBatch(epoch: string, planned: PlannedBatch): UploadBatch {
  const records = planned.records.map(({ seq, record }) => ({ seq, ...record }));
  if (planned.stream === 'events') {
    return {
      stream: 'events',
      epoch,
      records: records as Extract<UploadBatch, { stream: 'events' }>['records'],
    };
  }
  return {
    stream: 'samples',
    epoch,
    ...(planned.droppedThroughSeq > 0 ? { droppedThroughSeq: planned.droppedThroughSeq } : {}),
    records: records as Extract<UploadBatch, { stream: 'samples' }>['records'],
  };
}

/**
 * Picks the next batch: events first, samples between event bursts; each batch is consecutive seqs
 * of one stream, so order within a stream is never changed.
 */
export function createBatchScheduler({
  outbox,
  batchSize,
  batchMaxBytes,
  maxAgeMs,
  eventBurst = 4,
  now = Date.now,
}: BatchSchedulerOptions) {
  let eventsInARow = 0;
  const lastSentMs: Record<SyncStream, number> = {
    events: Number.NEGATIVE_INFINITY,
    samples: Number.NEGATIVE_INFINITY,
  };
  const heldUntilMs: Record<SyncStream, number> = { events: 0, samples: 0 };

  function plan(stream: SyncStream): PlannedBatch | undefined {
    if (now() < heldUntilMs[stream]) return undefined;
    const records = outbox.head(stream, batchSize, batchMaxBytes);
    if (records.length === 0) return undefined;
    const bytes = records.reduce((sum, r) => sum + r.sizeBytes, 0);
    const full = records.length >= batchSize || bytes >= batchMaxBytes / 2;
    if (stream === 'samples' && !full && now() - lastSentMs.samples < maxAgeMs) return undefined;
    return { stream, records, droppedThroughSeq: outbox.backlog(stream).droppedThroughSeq };
  }

  return {
    next(): PlannedBatch | undefined {
      const samplesFirst = eventsInARow >= eventBurst;
      const order: SyncStream[] = samplesFirst ? ['samples', 'events'] : ['events', 'samples'];
      for (const stream of order) {
        const planned = plan(stream);
        if (!planned) continue;
        eventsInARow = stream === 'events' ? eventsInARow + 1 : 0;
        lastSentMs[stream] = now();
        return planned;
      }
      eventsInARow = 0;
      return undefined;
    },
    /** Keeps one stream back (after a refusal) while the other goes on. */
    hold(stream: SyncStream, ms: number) {
      heldUntilMs[stream] = now() + ms;
    },
  };
}
