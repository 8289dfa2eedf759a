import { join } from 'node:path';
import type { EdgeEvent } from '@unison/contracts';
import { tempDir } from '@unison/testkit';
import Database from 'better-sqlite3';
import { uuidv7 } from 'uuidv7';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEventsRepository } from './events.repository.ts';
import { createOutboxRepository } from './outbox.repository.ts';
import { createSamplesRepository, type RecordedSample } from './samples.repository.ts';
import { type EdgeDatabase, openEdgeDatabase } from './sqlite.ts';

const dir = tempDir('unison-edge-streams-');
const opened: EdgeDatabase[] = [];
afterEach(() => {
  for (const database of opened.splice(0)) database.close();
});
afterAll(() => dir.remove());

function open(name: string) {
  const database = openEdgeDatabase(join(dir.path, name));
  opened.push(database);
  return database;
}

const sample = (value: number): RecordedSample => ({
  id: uuidv7(),
  machine: 'press-1',
  tag: 'speed',
  tsMs: 1_700_000_000_000 + value,
  value,
  quality: 'good',
});

const event = (n: number): EdgeEvent => ({
  id: uuidv7(),
  type: 'machine.count',
  machine: 'press-1',
  source: 'line-1',
  tsMs: 1_700_000_000_000 + n,
  payload: { good: n },
});

describe('edge streams', () => {
  it('gives each stream its own seq, in the same transaction as the record', () => {
    const { db } = open('streams.db');
    const samples = createSamplesRepository(db);
    const events = createEventsRepository(db);
    const outbox = createOutboxRepository(db);
    samples.insertMany([sample(1), sample(2)]);
    events.insertMany([event(1)]);
    samples.insertMany([sample(3)]);
    events.insertMany([event(2), event(3)]);
    expect(outbox.head('samples', 10).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(outbox.head('events', 10).map((r) => [r.seq, r.record.type, r.record.payload])).toEqual([
      [1, 'machine.count', { good: 1 }],
      [2, 'machine.count', { good: 2 }],
      [3, 'machine.count', { good: 3 }],
    ]);
    expect(events.count()).toBe(3);

    const duplicate = event(4);
    expect(() => events.insertMany([duplicate, { ...duplicate }])).toThrow();
    expect(outbox.backlog('events')).toMatchObject({ rows: 3, lastSeq: 3 });
    events.insertMany([event(5)]);
    expect(outbox.head('events', 10).at(-1)?.seq).toBe(4);
  });

  it('tracks backlog bytes and age, and takes heads by count and bytes', () => {
    const { db } = open('bytes.db');
    const samples = createSamplesRepository(db);
    const outbox = createOutboxRepository(db);
    samples.insertMany(Array.from({ length: 10 }, (_, i) => sample(i)));
    const backlog = outbox.backlog('samples');
    const size = outbox.head('samples', 1)[0]!.sizeBytes;
    expect(backlog).toMatchObject({ rows: 10, bytes: size * 10, oldestTsMs: 1_700_000_000_000 });
    expect(outbox.head('samples', 100, size * 3 + 1)).toHaveLength(3);
    expect(outbox.head('samples', 100, 1)).toHaveLength(1);
    outbox.deleteThrough('samples', 4);
    expect(outbox.backlog('samples')).toMatchObject({ rows: 6, bytes: size * 6, minSeq: 5 });
    expect(samples.localBytes()).toBe(size * 10);
  });

  it('drops the oldest samples on request and remembers through which seq', () => {
    const { db } = open('drop.db');
    const samples = createSamplesRepository(db);
    const outbox = createOutboxRepository(db);
    samples.insertMany(Array.from({ length: 10 }, (_, i) => sample(i)));
    const size = outbox.head('samples', 1)[0]!.sizeBytes;
    expect(outbox.dropOldest('samples', size * 3)).toEqual({ rows: 3, bytes: size * 3 });
    expect(outbox.backlog('samples')).toMatchObject({
      rows: 7,
      minSeq: 4,
      droppedThroughSeq: 3,
      droppedRows: 3,
      bytes: size * 7,
    });
    expect(samples.pruneOldest(size * 2)).toEqual({ rows: 2, bytes: size * 2 });
    expect(samples.count()).toBe(8);
  });

  it('moves a single-stream outbox into the samples stream, keeping its seqs', () => {
    const file = join(dir.path, 'old.db');
    const old = new Database(file);
    old.exec(`
      CREATE TABLE samples (id TEXT PRIMARY KEY, machine TEXT NOT NULL, tag TEXT NOT NULL, ts_ms INTEGER NOT NULL,
        value TEXT NOT NULL, quality TEXT NOT NULL);
      CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, machine TEXT NOT NULL,
        tag TEXT NOT NULL, ts_ms INTEGER NOT NULL, value TEXT NOT NULL, quality TEXT NOT NULL);
      INSERT INTO outbox (id, machine, tag, ts_ms, value, quality) VALUES
        ('a', 'press-1', 'speed', 1700000000000, '1.5', 'good'),
        ('b', 'press-1', 'state', 1700000000500, '"RUN"', 'good'),
        ('c', 'press-1', 'speed', 1700000001000, '2', 'good');
      DELETE FROM outbox WHERE id = 'a';`);
    old.close();
    const { db } = open('old.db');
    const outbox = createOutboxRepository(db);
    expect(outbox.head('samples', 10).map((r) => [r.seq, r.record])).toEqual([
      [
        2,
        {
          id: 'b',
          machine: 'press-1',
          tag: 'state',
          ts: '2023-11-14T22:13:20.500Z',
          value: 'RUN',
          quality: 'good',
        },
      ],
      [
        3,
        {
          id: 'c',
          machine: 'press-1',
          tag: 'speed',
          ts: '2023-11-14T22:13:21.000Z',
          value: 2,
          quality: 'good',
        },
      ],
    ]);
    createSamplesRepository(db).insertMany([sample(9)]);
    expect(outbox.backlog('samples')).toMatchObject({ rows: 3, lastSeq: 4 });
  });
});
