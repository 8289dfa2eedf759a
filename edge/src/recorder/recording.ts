import type { EdgeBufferConfig } from '@unison/config';
import { SYNC_STREAMS, type SyncStream } from '@unison/contracts';
import type { Logger } from 'pino';
import { createEventsRepository } from '../store/events.repository.ts';
import { createOutboxRepository, type OutboxRepository } from '../store/outbox.repository.ts';
import { createSamplesRepository } from '../store/samples.repository.ts';
import type { EdgeDb } from '../store/sqlite.ts';
import { type BufferStatus, createBufferGuard } from './buffer.guard.ts';
import { createRecorder, type Recorder } from './recorder.ts';

export interface StreamBacklogStatus {
  rows: number;
  bytes: number;
  /** Age of the oldest waiting record, by its own timestamp; null when nothing waits. */
  oldestAgeMs: number | null;
  /** Records dropped unsent to stay within the buffer budget (always 0 for events). */
  dropped: number;
  droppedBytes: number;
}

export interface Recording {
  recorder: Recorder;
  outbox: OutboxRepository;
  buffer(): BufferStatus;
  streams(): Record<SyncStream, StreamBacklogStatus>;
  stop(): void;
}

/** The edge's local store in use: recorder for samples and events, and the buffer budget over both. */
export function startRecording(
  db: EdgeDb,
  {
    log,
    buffer = {},
    now = Date.now,
  }: { log: Logger; buffer?: Partial<EdgeBufferConfig>; now?: () => number },
): Recording {
  const outbox = createOutboxRepository(db);
  const samples = createSamplesRepository(db);
  let recorder: Recorder | undefined;
  const guard = createBufferGuard({
    outbox,
    samples,
    recordEvent: (event) => recorder?.recordEvent(event),
    log: log.child({ module: 'buffer' }),
    maxBytes: buffer.maxBytes ?? 1024 ** 3,
    localRetentionMs: buffer.localRetentionMs,
    now,
  });
  recorder = createRecorder({ samples, events: createEventsRepository(db), log, afterWrite: guard.check });
  guard.check();

  const streamStatus = (stream: SyncStream): StreamBacklogStatus => {
    const backlog = outbox.backlog(stream);
    return {
      rows: backlog.rows,
      bytes: backlog.bytes,
      oldestAgeMs: backlog.oldestTsMs === null ? null : Math.max(0, now() - backlog.oldestTsMs),
      dropped: backlog.droppedRows,
      droppedBytes: backlog.droppedBytes,
    };
  };

  return {
    recorder,
    outbox,
    buffer: guard.status,
    streams: () =>
      Object.fromEntries(SYNC_STREAMS.map((stream) => [stream, streamStatus(stream)])) as Record<
        SyncStream,
        StreamBacklogStatus
      >,
    stop: () => recorder?.stop(),
  };
}
