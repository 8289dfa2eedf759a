import { join } from 'node:path';
import type { Sample } from '@unison/contracts';
import { tempDir } from '@unison/testkit';
import pino from 'pino';
import { uuidv7 } from 'uuidv7';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type EdgeDatabase, openEdgeDatabase } from '../store/sqlite.ts';
import { startRecording } from './recording.ts';

const dir = tempDir('unison-edge-buffer-');
const log = pino({ level: 'silent' });
const opened: { database: EdgeDatabase; stop(): void }[] = [];
afterEach(() => {
  for (const { database, stop } of opened.splice(0)) {
    stop();
    database.close();
  }
});
afterAll(() => dir.remove());

function recordingIn(name: string, maxBytes: number) {
  const database = openEdgeDatabase(join(dir.path, name));
  const recording = startRecording(database.db, { log, buffer: { maxBytes } });
  opened.push({ database, stop: recording.stop });
  return recording;
}

const samples = (n: number, from = 0): Sample[] =>
  Array.from({ length: n }, (_, i) => ({
    machine: 'press-1',
    tag: 'speed',
    tsMs: 1_700_000_000_000 + from + i,
    value: from + i,
    quality: 'good' as const,
  }));

const count = (n: number) => ({
  id: uuidv7(),
  type: 'machine.count',
  machine: 'press-1',
  source: 'line-1',
  tsMs: Date.now(),
  payload: { good: n, note: 'x'.repeat(200) },
});

describe('buffer budget', () => {
  it('prunes local copies first, then drops the oldest samples with one alarm, and keeps every event', () => {
    const recording = recordingIn('budget.db', 64 * 1024);
    const { recorder, outbox } = recording;
    for (let i = 0; i < 10; i++) recorder.recordEvent(count(i));
    for (let batch = 0; batch < 20; batch++) {
      recorder.record(samples(100, batch * 100));
      recorder.flush();
    }
    const buffer = recording.buffer();
    expect(buffer.usedBytes).toBeLessThanOrEqual(64 * 1024);
    expect(buffer.samplesDropping).toBe(true);
    expect(buffer.eventsOverBudget).toBe(false);
    expect(buffer.alarms).toBe(1);

    const streams = recording.streams();
    expect(streams.samples.dropped).toBeGreaterThan(0);
    expect(streams.samples.dropped + streams.samples.rows).toBe(2000);
    expect(streams.events.dropped).toBe(0);
    // The oldest went: what is left is the newest, contiguous, ending at the last seq.
    const left = outbox.head('samples', 5000);
    expect(left.at(-1)?.record.value).toBe(1999);
    expect(left[0]!.seq).toBe(streams.samples.dropped + 1);

    const events = outbox.head('events', 100);
    expect(events.map((e) => e.record.type)).toEqual([...Array(10).fill('machine.count'), 'edge.alarm']);
    expect(events.at(-1)?.record.payload).toMatchObject({
      kind: 'buffer.samples-dropped',
      budgetBytes: 64 * 1024,
    });
  });

  it('keeps events that alone exceed the budget, and says so', () => {
    const recording = recordingIn('events.db', 16 * 1024);
    for (let i = 0; i < 100; i++) recording.recorder.recordEvent(count(i));
    expect(recording.buffer()).toMatchObject({ eventsOverBudget: true, alarms: 1 });
    expect(recording.streams().events).toMatchObject({ rows: 101, dropped: 0 });
  });

  it('refuses an invalid event without storing it', () => {
    const recording = recordingIn('invalid.db', 1024 * 1024);
    recording.recorder.recordEvent({ ...count(1), type: 'Not A Type' });
    expect(recording.recorder.stats().events).toEqual({ recorded: 0, rejected: 1, pending: 0 });
    expect(recording.streams().events.rows).toBe(0);
  });
});
