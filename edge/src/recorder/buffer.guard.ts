import type { EdgeEvent } from '@unison/contracts';
import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';
import type { OutboxRepository } from '../store/outbox.repository.ts';
import type { SamplesRepository } from '../store/samples.repository.ts';

export interface BufferGuardOptions {
  outbox: Pick<OutboxRepository, 'backlog' | 'dropOldest'>;
  samples: Pick<SamplesRepository, 'localBytes' | 'pruneOldest' | 'pruneBefore'>;
  /** Where alarms go: the events stream, so the cloud hears about them too. */
  recordEvent: (event: EdgeEvent) => void;
  log: Logger;
  maxBytes: number;
  /** Pruning frees down to this share of the budget, so it does not run on every write. */
  lowWaterRatio?: number;
  /** Local sample copies older than this are deleted even under budget. */
  localRetentionMs?: number;
  source?: string;
  now?: () => number;
}

export interface BufferStatus {
  budgetBytes: number;
  usedBytes: number;
  /** Raw samples are being dropped to stay within the budget. */
  samplesDropping: boolean;
  /** Events alone exceed the budget; they are kept anyway. */
  eventsOverBudget: boolean;
  alarms: number;
  localPrunedRows: number;
}

/**
 * Holds the outbox and the local sample copies to a byte budget: local copies go first, then the
 * oldest unsent samples (counted and alarmed); events are never dropped.
 */
export function createBufferGuard({
  outbox,
  samples,
  recordEvent,
  log,
  maxBytes,
  lowWaterRatio = 0.9,
  localRetentionMs = 7 * 86_400_000,
  source = 'edge.buffer',
  now = Date.now,
}: BufferGuardOptions) {
  const lowWater = Math.floor(maxBytes * lowWaterRatio);
  let samplesDropping = false;
  let eventsOverBudget = false;
  let alarms = 0;
  let localPrunedRows = 0;
  let lastRetentionMs = Number.NEGATIVE_INFINITY;
  let checking = false;

  const used = () => samples.localBytes() + outbox.backlog('samples').bytes + outbox.backlog('events').bytes;

  function alarm(kind: string, payload: Record<string, unknown>) {
    alarms += 1;
    recordEvent({
      id: uuidv7(),
      type: 'edge.alarm',
      source,
      tsMs: now(),
      payload: { kind, budgetBytes: maxBytes, ...payload },
    });
  }

  function enforce() {
    if (now() - lastRetentionMs > 60_000) {
      lastRetentionMs = now();
      localPrunedRows += samples.pruneBefore(now() - localRetentionMs).rows;
    }
    let usedBytes = used();
    if (usedBytes <= maxBytes) {
      if (usedBytes < lowWater) samplesDropping = false;
      if (outbox.backlog('events').bytes <= maxBytes) eventsOverBudget = false;
      return;
    }
    const local = samples.pruneOldest(Math.min(usedBytes - lowWater, samples.localBytes()));
    localPrunedRows += local.rows;
    usedBytes -= local.bytes;
    if (usedBytes > lowWater) {
      const drop = outbox.dropOldest('samples', usedBytes - lowWater);
      usedBytes -= drop.bytes;
      if (drop.rows > 0) {
        log.warn(
          { rows: drop.rows, bytes: drop.bytes, budgetBytes: maxBytes },
          'buffer full: oldest samples dropped',
        );
        if (!samplesDropping)
          alarm('buffer.samples-dropped', { droppedRows: drop.rows, droppedBytes: drop.bytes });
        samplesDropping = true;
      }
    }
    const eventBytes = outbox.backlog('events').bytes;
    if (eventBytes > maxBytes && !eventsOverBudget) {
      eventsOverBudget = true;
      log.error({ eventBytes, budgetBytes: maxBytes }, 'events alone exceed the buffer budget; keeping them');
      alarm('buffer.events-over-budget', { eventBytes });
    }
  }

  return {
    /** Cheap when under budget (counters only); prunes when over. */
    check() {
      // An alarm is itself a write that calls back here.
      if (checking) return;
      checking = true;
      try {
        enforce();
      } finally {
        checking = false;
      }
    },
    status: (): BufferStatus => ({
      budgetBytes: maxBytes,
      usedBytes: used(),
      samplesDropping,
      eventsOverBudget,
      alarms,
      localPrunedRows,
    }),
  };
}

export type BufferGuard = ReturnType<typeof createBufferGuard>;
