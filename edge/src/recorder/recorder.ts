import { EdgeEvent, type Sample } from '@unison/contracts';
import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';
import { errorMessage } from '../lib/sleep.ts';
import type { EventsRepository } from '../store/events.repository.ts';
import type { RecordedSample, SamplesRepository } from '../store/samples.repository.ts';

export interface RecorderOptions {
  samples: Pick<SamplesRepository, 'insertMany'>;
  events?: Pick<EventsRepository, 'insertMany'>;
  log: Logger;
  flushIntervalMs?: number;
  /** Buffered samples that make a flush due on the next turn instead of at the next tick. */
  maxBatch?: number;
  /** The most samples held in memory; reaching it writes them at once, in the caller's turn. */
  maxBuffered?: number;
  newId?: () => string;
  /** Runs after every write, e.g. to hold the buffer to its budget. */
  afterWrite?: () => void;
}

export interface RecorderStats {
  recorded: number;
  dropped: number;
  pending: number;
  events: { recorded: number; rejected: number; pending: number };
}

export interface Recorder {
  record(samples: Sample[]): void;
  /** Stores the event and queues it for the cloud at once; usable as an `EmitEvent` callback. */
  recordEvent(event: EdgeEvent): void;
  /** Writes everything buffered now. */
  flush(): void;
  /** Flushes and stops the timer. */
  stop(): void;
  stats(): RecorderStats;
}

/** Buffers samples and writes them in batched transactions (each sample into samples and outbox). */
export function createRecorder({
  samples,
  events,
  log,
  flushIntervalMs = 100,
  maxBatch = 500,
  maxBuffered = 50_000,
  newId = uuidv7,
  afterWrite = () => {},
}: RecorderOptions): Recorder {
  let buffer: RecordedSample[] = [];
  let pendingEvents: EdgeEvent[] = [];
  let recorded = 0;
  let dropped = 0;
  let eventsRecorded = 0;
  let eventsRejected = 0;
  let flushQueued = false;
  const timer = setInterval(flush, flushIntervalMs);

  /** Writes `batch` in one transaction; on failure halves it, so only the rows that fail are dropped. */
  function write(batch: RecordedSample[]) {
    try {
      samples.insertMany(batch);
      recorded += batch.length;
    } catch (error) {
      if (batch.length === 1) {
        dropped += 1;
        log.error({ err: errorMessage(error), sample: batch[0] }, 'sample could not be stored; dropped');
        return;
      }
      log.warn({ err: errorMessage(error), size: batch.length }, 'batch write failed; splitting it');
      const half = batch.length >>> 1;
      write(batch.slice(0, half));
      write(batch.slice(half));
    }
  }

  /** Events stay buffered until a write succeeds: never dropped, whatever the store says. */
  function writeEvents() {
    if (pendingEvents.length === 0 || !events) return;
    try {
      events.insertMany(pendingEvents);
      eventsRecorded += pendingEvents.length;
      pendingEvents = [];
    } catch (error) {
      log.error(
        { err: errorMessage(error), pending: pendingEvents.length },
        'events could not be stored; keeping them to retry',
      );
    }
  }

  function flush() {
    flushQueued = false;
    writeEvents();
    if (buffer.length === 0) return;
    // Swapped, not sliced: what arrives while writing lands in the fresh buffer.
    const taken = buffer;
    buffer = [];
    write(taken);
    afterWrite();
  }

  return {
    record(incoming) {
      for (const sample of incoming) {
        buffer.push({
          id: newId(),
          machine: sample.machine,
          tag: sample.tag,
          tsMs: sample.tsMs,
          value: sample.value,
          quality: sample.quality,
        });
        // Backpressure instead of unbounded memory: the producer's turn pays for the write.
        if (buffer.length >= maxBuffered) flush();
      }
      if (buffer.length >= maxBatch && !flushQueued) {
        flushQueued = true;
        setImmediate(flush);
      }
    },
    recordEvent(event) {
      const parsed = EdgeEvent.safeParse(event);
      if (!parsed.success) {
        eventsRejected += 1;
        log.error({ err: parsed.error.message, event }, 'invalid event refused');
        return;
      }
      pendingEvents.push(parsed.data);
      writeEvents();
      afterWrite();
    },
    flush,
    stop() {
      clearInterval(timer);
      flush();
    },
    stats: () => ({
      recorded,
      dropped,
      pending: buffer.length,
      events: { recorded: eventsRecorded, rejected: eventsRejected, pending: pendingEvents.length },
    }),
  };
}
