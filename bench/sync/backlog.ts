import { join } from 'node:path';
import { createRecorder } from '../../edge/src/recorder/recorder.ts';
import { producerEpoch } from '../../edge/src/store/meta.repository.ts';
import { createOutboxRepository } from '../../edge/src/store/outbox.repository.ts';
import { createSamplesRepository } from '../../edge/src/store/samples.repository.ts';
import { openEdgeDatabase } from '../../edge/src/store/sqlite.ts';
import type { Sample, UploadBatch, UploadRecord } from '../../packages/contracts/src/index.ts';
import { benchLog } from './log.ts';

export const MACHINES = 10;
export const TAGS_PER_MACHINE = 10;
const SERIES = MACHINES * TAGS_PER_MACHINE;
// Samples the recorder writes per SQLite transaction while the backlog is built.
const WRITE_CHUNK = 10_000;

export const machineCode = (index: number) => `m${String(index).padStart(2, '0')}`;

/**
 * An edge database whose samples stream holds `total` unsent records, written through the edge's
 * own recorder and samples store (ids, samples and outbox as the edge makes them), as after an outage.
 * Every poll of the 100 series shares one timestamp, 1 s apart, as a polling connector records them.
 */
export function buildBacklog(dataDir: string, total: number) {
  const database = openEdgeDatabase(join(dataDir, 'edge.db'));
  const samples = createSamplesRepository(database.db);
  const outbox = createOutboxRepository(database.db);
  const epoch = producerEpoch(database.db);
  // Room for a whole chunk, so each chunk is written by the explicit flush in one transaction.
  const recorder = createRecorder({ samples, log: benchLog, maxBuffered: WRITE_CHUNK + 1 });
  const baseMs = Date.now() - Math.ceil(total / SERIES) * 1000;
  const startedMs = performance.now();
  for (let offset = 0; offset < total; offset += WRITE_CHUNK) {
    const chunk: Sample[] = [];
    for (let index = offset; index < Math.min(total, offset + WRITE_CHUNK); index++) {
      const series = index % SERIES;
      chunk.push({
        machine: machineCode(series % MACHINES),
        tag: `tag-${Math.floor(series / MACHINES)}`,
        tsMs: baseMs + Math.floor(index / SERIES) * 1000,
        // Mostly analog values, one tag in ten a boolean, as a plant's tags are.
        value:
          Math.floor(series / MACHINES) === TAGS_PER_MACHINE - 1
            ? index % 7 === 0
            : Math.round(index * 0.37 * 1000) / 1000,
        quality: 'good',
      });
    }
    recorder.record(chunk);
    recorder.flush();
  }
  recorder.stop();
  if (recorder.stats().recorded !== total)
    throw new Error(`the recorder stored ${recorder.stats().recorded} of ${total}`);
  const seconds = (performance.now() - startedMs) / 1000;
  const backlog = outbox.backlog('samples');
  if (backlog.rows !== total) throw new Error(`backlog holds ${backlog.rows} records, not ${total}`);

  const readRange = database.sqlite.prepare<[number, number], { seq: number; record: string }>(
    "SELECT seq, record FROM outbox WHERE stream = 'samples' AND seq BETWEEN ? AND ? ORDER BY seq",
  );
  return {
    database,
    outbox,
    epoch,
    buildRecordsPerSecond: total / seconds,
    bytes: backlog.bytes,
    /** Records `fromSeq`..`toSeq` exactly as the uplink sends them: the outbox record with its seq. */
    batch(fromSeq: number, toSeq: number): Extract<UploadBatch, { stream: 'samples' }> {
      const records = readRange
        .all(fromSeq, toSeq)
        .map(({ seq, record }) => ({ seq, ...(JSON.parse(record) as Omit<UploadRecord, 'seq'>) }));
      return { stream: 'samples', epoch, records };
    },
  };
}

export type Backlog = ReturnType<typeof buildBacklog>;
