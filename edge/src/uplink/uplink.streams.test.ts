import { join } from 'node:path';
import type { PlantConfig } from '@unison/config';
import { tempDir, waitFor } from '@unison/testkit';
import pino from 'pino';
import { uuidv7 } from 'uuidv7';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeCloud } from '../../test/fake.cloud.ts';
import { createEventsRepository } from '../store/events.repository.ts';
import { producerEpoch } from '../store/meta.repository.ts';
import { createOutboxRepository } from '../store/outbox.repository.ts';
import { createSamplesRepository } from '../store/samples.repository.ts';
import { openEdgeDatabase } from '../store/sqlite.ts';
import { startUplink } from './uplink.ts';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('uplink streams', () => {
  it('sends the events backlog before the samples backlog, each in order, compressed', async () => {
    const fake = await startFakeCloud();
    const dir = tempDir('unison-edge-uplink-streams-');
    const database = openEdgeDatabase(join(dir.path, 'edge.db'));
    cleanups.push(
      () => dir.remove(),
      () => database.close(),
      () => fake.stop(),
    );
    const samples = createSamplesRepository(database.db);
    const events = createEventsRepository(database.db);
    samples.insertMany(
      Array.from({ length: 300 }, (_, i) => ({
        id: uuidv7(),
        machine: 'press-1',
        tag: 'speed',
        tsMs: 1_700_000_000_000 + i,
        value: i,
        quality: 'good' as const,
      })),
    );
    events.insertMany(
      Array.from({ length: 30 }, (_, i) => ({
        id: uuidv7(),
        type: 'machine.state',
        machine: 'press-1',
        source: 'machine-model',
        tsMs: 1_700_000_000_000 + i,
        durationMs: 1000,
        payload: { state: i % 2 === 0 ? 'running' : 'idle' },
      })),
    );
    const config: Pick<PlantConfig, 'edge' | 'cloud'> = {
      edge: { name: 'edge-1', plant: 'p1', dataDir: dir.path, http: { host: '127.0.0.1', port: 0 } },
      cloud: { url: fake.url, enrollmentCode: 'enroll-code-123', batchSize: 10, uploadIntervalMs: 20 },
    };
    const outbox = createOutboxRepository(database.db);
    const uplink = startUplink({
      config,
      outbox,
      epoch: producerEpoch(database.db),
      log,
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    cleanups.push(() => uplink.stop());
    await waitFor(() => (outbox.count() === 0 ? true : undefined), { what: 'empty outbox' });

    expect(fake.storedEvents.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(fake.storedEvents[0]).toMatchObject({
      type: 'machine.state',
      durationMs: 1000,
      payload: { state: 'running' },
    });
    expect(fake.stored.map((s) => s.value)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // With both backlogs waiting, events went first: three event batches before the first samples batch.
    expect(fake.uploads.slice(0, 4).map((u) => u.stream)).toEqual(['events', 'events', 'events', 'samples']);
    expect(fake.uploads.every((u) => u.gzip)).toBe(true);
    expect(uplink.status().streams).toMatchObject({
      events: { uploaded: 30, ackedSeq: 30 },
      samples: { uploaded: 300, ackedSeq: 300 },
    });
  });
});
