import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@unison/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { producerEpoch } from './meta.repository.ts';
import { createOutboxRepository } from './outbox.repository.ts';
import { createSamplesRepository, type RecordedSample, sampleWireRecord } from './samples.repository.ts';
import { type EdgeDatabase, openEdgeDatabase } from './sqlite.ts';
import { hotStatements } from './statements.ts';

const dir = tempDir('unison-edge-store-');
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

const sample = (id: string, value: RecordedSample['value'] = 1): RecordedSample => ({
  id,
  machine: 'press-1',
  tag: 'speed',
  tsMs: 1_700_000_000_000,
  value,
  quality: 'good',
});

describe('edge store', () => {
  it('stores each sample and its outbox row in the same transaction', () => {
    const { db } = open('tx.db');
    const repo = createSamplesRepository(db);
    const outbox = createOutboxRepository(db);
    repo.insertMany([sample('a', 1.5), sample('b', 'text'), sample('c', true), sample('d', null)]);
    expect(repo.count()).toBe(4);
    expect(outbox.head('samples', 10).map((r) => [r.seq, r.id, r.record.value])).toEqual([
      [1, 'a', 1.5],
      [2, 'b', 'text'],
      [3, 'c', true],
      [4, 'd', null],
    ]);

    const broken = { ...sample('f'), quality: 'excellent' } as unknown as RecordedSample;
    const bytesBefore = repo.localBytes();
    expect(() => repo.insertMany([sample('e'), broken])).toThrow();
    expect(repo.count()).toBe(4);
    expect(outbox.count()).toBe(4);
    expect(repo.localBytes()).toBe(bytesBefore);
    expect(outbox.backlog('samples')).toMatchObject({ lastSeq: 4, bytes: bytesBefore });
    repo.insertMany([sample('e')]);
    expect(outbox.head('samples', 10).at(-1)).toMatchObject({ seq: 5, id: 'e' });
  });

  it('writes the wire record exactly as JSON.stringify would', () => {
    for (const value of [1.5, -0, 1e21, Number.NaN, 'say "hi"\n\u2028€', true, false, null]) {
      const odd = { ...sample('0190-ä'), machine: 'line "A"\\1', tag: 'tab\there', value };
      const { id, machine, tag, tsMs, quality } = odd;
      const expected = { id, machine, tag, ts: new Date(tsMs).toISOString(), value, quality };
      expect(sampleWireRecord(odd)).toBe(JSON.stringify(expected));
    }
  });

  it("prepares its statements once per connection and writes inside a caller's transaction", () => {
    const { db, sqlite } = open('prepared.db');
    expect(hotStatements(db)).toBe(hotStatements(db));
    const repo = createSamplesRepository(db);
    expect(() =>
      sqlite.transaction(() => {
        repo.insertMany([sample('a'), sample('b')]);
        throw new Error('caller gives up');
      })(),
    ).toThrow('caller gives up');
    expect(repo.count()).toBe(0);
    expect(createOutboxRepository(db).backlog('samples')).toMatchObject({ rows: 0, lastSeq: 0 });
    // The series made in the rolled-back transaction is made again, not remembered from it.
    sqlite.prepare("INSERT INTO series (machine, tag) VALUES ('press-9', 'other')").run();
    repo.insertMany([sample('c')]);
    expect(sqlite.prepare('SELECT machine, tag FROM samples').all()).toEqual([
      { machine: 'press-1', tag: 'speed' },
    ]);
  });

  it('never reuses a seq, even after every row was deleted', () => {
    const { db } = open('seq.db');
    const repo = createSamplesRepository(db);
    const outbox = createOutboxRepository(db);
    repo.insertMany([sample('a'), sample('b'), sample('c')]);
    expect(outbox.deleteThrough('samples', 3)).toBe(3);
    expect(outbox.count()).toBe(0);
    repo.insertMany([sample('d'), sample('e')]);
    expect(outbox.head('samples', 10).map((r) => r.seq)).toEqual([4, 5]);
    expect(outbox.deleteBelow('samples', 5)).toBe(1);
    expect(outbox.backlog('samples')).toMatchObject({ rows: 1, minSeq: 5, lastSeq: 5 });
  });

  it('keeps its epoch across reopen and makes a new one for a new file', () => {
    const first = open('epoch.db');
    const epoch = producerEpoch(first.db);
    expect(epoch).toMatch(/^[0-9a-f-]{36}$/);
    first.close();
    opened.splice(opened.indexOf(first), 1);

    const reopened = open('epoch.db');
    expect(producerEpoch(reopened.db)).toBe(epoch);
    reopened.close();
    opened.splice(opened.indexOf(reopened), 1);

    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir.path, `epoch.db${suffix}`), { force: true });
    const recreated = open('epoch.db');
    const newEpoch = producerEpoch(recreated.db);
    expect(newEpoch).not.toBe(epoch);
    expect(newEpoch > epoch).toBe(true);
  });
});
