import type { Sample } from '@unison/contracts';
import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';
import { errorMessage } from '../lib/sleep.ts';
import type { RecordedSample, SamplesRepository } from '../store/samples.repository.ts';

export interface RecorderOptions {
  samples: Pick<SamplesRepository, 'insertMany'>;
  log: Logger;
  flushIntervalMs?: number;
  maxBatch?: number;
  newId?: () => string;
}

export interface Recorder {
  record(samples: Sample[]): void;
  /** Writes everything buffered now. */
  flush(): void;
  /** Flushes and stops the timer. */
  stop(): void;
  stats(): { recorded: number; dropped: number; pending: number };
}

/** Buffers samples and writes them in batched transactions (each sample into samples and outbox). */
export function createRecorder({
  samples,
  log,
  flushIntervalMs = 100,
  maxBatch = 500,
  newId = uuidv7,
}: RecorderOptions): Recorder {
  let buffer: RecordedSample[] = [];
  let recorded = 0;
  let dropped = 0;
  let flushQueued = false;
  const timer = setInterval(flush, flushIntervalMs);

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
      // One bad sample must not cost its neighbours: retry them one transaction each.
      log.warn(
        { err: errorMessage(error), size: batch.length },
        'batch write failed; writing samples one by one',
      );
      for (const one of batch) write([one]);
    }
  }

  function flush() {
    flushQueued = false;
    while (buffer.length > 0) {
      const batch = buffer.slice(0, maxBatch);
      buffer = buffer.slice(maxBatch);
      write(batch);
    }
  }

  return {
    record(incoming) {
      for (const sample of incoming) buffer.push({ id: newId(), ...sample });
      if (buffer.length >= maxBatch && !flushQueued) {
        flushQueued = true;
        setImmediate(flush);
      }
    },
    flush,
    stop() {
      clearInterval(timer);
      flush();
    },
    stats: () => ({ recorded, dropped, pending: buffer.length }),
  };
}
