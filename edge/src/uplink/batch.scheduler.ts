import type { SyncStream } from '@unison/contracts';
import type { OutboxRepository, PendingRecord } from '../store/outbox.repository.ts';

export interface PlannedBatch {
  stream: SyncStream;
  records: PendingRecord[];
  droppedThroughSeq: number;
}

export interface BatchSchedulerOptions {
  outbox: Pick<OutboxRepository, 'pending' | 'backlog'>;
  batchSize: number;
  batchMaxBytes: number;
  /** A samples batch that is not full waits this long after the previous one, to gather more. */
  maxAgeMs: number;
  /** Event batches in a row before a waiting samples batch gets its turn, so neither starves. */
  eventBurst?: number;
  now?: () => number;
}

/** Per stream, the last seq already on its way: planning goes on after it. */
export type SentThrough = Partial<Record<SyncStream, number>>;

export const firstSeq = (planned: PlannedBatch) => planned.records[0]!.seq;
export const lastSeq = (planned: PlannedBatch) => planned.records.at(-1)!.seq;

const emptyObject = /^\s*\{\s*\}\s*$/;

/**
 * The upload body as JSON text, built from the stored record texts without parsing them again:
 * the same text as `JSON.stringify` of the batch with each record's seq first.
 */
export function uploadJson(epoch: string, planned: PlannedBatch): string {
  const dropped =
    planned.stream === 'samples' && planned.droppedThroughSeq > 0
      ? `,"droppedThroughSeq":${planned.droppedThroughSeq}`
      : '';
  const records = planned.records.map(({ seq, json }) =>
    emptyObject.test(json) ? `{"seq":${seq}}` : `{"seq":${seq},${json.slice(json.indexOf('{') + 1)}`,
  );
  return `{"stream":"${planned.stream}","epoch":${JSON.stringify(epoch)}${dropped},"records":[${records.join(',')}]}`;
}

/**
 * Picks the next batch: events first, samples between event bursts; each batch is consecutive seqs
 * of one stream, so order within a stream is never changed. `plan` only looks (a batch can be
 * planned while another is on its way); `sent` commits the choice once the batch goes.
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
  const held = (stream: SyncStream) => now() < heldUntilMs[stream];
  const order = (): SyncStream[] =>
    eventsInARow >= eventBurst ? ['samples', 'events'] : ['events', 'samples'];

  function planStream(stream: SyncStream, afterSeq: number): PlannedBatch | undefined {
    if (held(stream)) return undefined;
    const records = outbox.pending(stream, { afterSeq, limit: batchSize, maxBytes: batchMaxBytes });
    if (records.length === 0) return undefined;
    let bytes = 0;
    for (const record of records) bytes += record.sizeBytes;
    const full = records.length >= batchSize || bytes >= batchMaxBytes / 2;
    if (stream === 'samples' && !full && now() - lastSentMs.samples < maxAgeMs) return undefined;
    return { stream, records, droppedThroughSeq: outbox.backlog(stream).droppedThroughSeq };
  }

  const scheduler = {
    /** The batch that would go next, once what `sentThrough` names is acknowledged; changes nothing. */
    plan(sentThrough: SentThrough = {}): PlannedBatch | undefined {
      for (const stream of order()) {
        const planned = planStream(stream, sentThrough[stream] ?? 0);
        if (planned) return planned;
      }
      return undefined;
    },
    /** Commits a planned batch as the one on its way. */
    sent(planned: PlannedBatch) {
      eventsInARow = planned.stream === 'events' ? eventsInARow + 1 : 0;
      lastSentMs[planned.stream] = now();
    },
    next(): PlannedBatch | undefined {
      const planned = scheduler.plan();
      if (planned) scheduler.sent(planned);
      else eventsInARow = 0;
      return planned;
    },
    /**
     * Whether a batch planned ahead still goes first: a samples batch gives way to events that
     * arrived since, unless samples have their turn anyway.
     */
    stillFirst(planned: PlannedBatch, eventsWaiting: () => boolean): boolean {
      if (held(planned.stream)) return false;
      if (planned.stream === 'events' || order()[0] === 'samples' || held('events')) return true;
      return !eventsWaiting();
    },
    /** Keeps one stream back (after a refusal) while the other goes on. */
    hold(stream: SyncStream, ms: number) {
      heldUntilMs[stream] = now() + ms;
    },
  };
  return scheduler;
}
