import { join } from 'node:path';
import { tempDir } from '@unison/testkit';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createOutboxRepository } from './outbox.repository.ts';
import { createSamplesRepository } from './samples.repository.ts';
import { openEdgeDatabase } from './sqlite.ts';

const dir = tempDir('unison-edge-upgrade-');
afterAll(() => dir.remove());

/** A file as edges wrote it before series: one samples table keyed by the sample's uuid. */
function oneTableSamplesFile(name: string): string {
  const file = join(dir.path, name);
  const old = new Database(file);
  old.exec(`
    CREATE TABLE samples (
      id TEXT PRIMARY KEY, machine TEXT NOT NULL, tag TEXT NOT NULL, ts_ms INTEGER NOT NULL,
      value TEXT NOT NULL, quality TEXT NOT NULL CHECK (quality IN ('good', 'uncertain', 'bad')),
      size_bytes INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX samples_machine_tag_ts ON samples (machine, tag, ts_ms);
    CREATE TABLE outbox (
      stream TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, ts_ms INTEGER NOT NULL,
      record TEXT NOT NULL, size_bytes INTEGER NOT NULL, PRIMARY KEY (stream, seq)
    ) WITHOUT ROWID;
    CREATE TABLE stream_state (
      stream TEXT PRIMARY KEY, last_seq INTEGER NOT NULL DEFAULT 0, outbox_bytes INTEGER NOT NULL DEFAULT 0,
      dropped_through_seq INTEGER NOT NULL DEFAULT 0, dropped_rows INTEGER NOT NULL DEFAULT 0,
      dropped_bytes INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO stream_state (stream, last_seq, outbox_bytes) VALUES ('events', 0, 0), ('samples', 7, 0);
    CREATE TABLE local_bytes (name TEXT PRIMARY KEY, bytes INTEGER NOT NULL DEFAULT 0);
    INSERT INTO local_bytes (name, bytes) VALUES ('samples', 600);
    -- Inserted out of age order: the uuidv7 order is what counts.
    INSERT INTO samples (id, machine, tag, ts_ms, value, quality, size_bytes) VALUES
      ('0190a000-0000-7000-8000-000000000003', 'press-1', 'speed', 1700000000300, '3', 'good', 100),
      ('0190a000-0000-7000-8000-000000000001', 'press-1', 'speed', 1700000000100, '1.5', 'good', 100),
      ('0190a000-0000-7000-8000-000000000002', 'press-1', 'state', 1700000000200, '"RUN"', 'uncertain', 100),
      ('0190a000-0000-7000-8000-000000000005', 'press-2', 'speed', 1700000000500, 'null', 'bad', 100),
      ('0190a000-0000-7000-8000-000000000004', 'press-1', 'speed', 1700000000400, 'true', 'good', 100),
      ('0190a000-0000-7000-8000-000000000006', 'press-2', 'speed', 1700000000600, '6', 'good', 100);`);
  old.close();
  return file;
}

describe('edge store upgrade', () => {
  it('moves one-table samples into series and sample rows, keeping age order and byte counts', () => {
    const database = openEdgeDatabase(oneTableSamplesFile('one-table.db'));
    const samples = createSamplesRepository(database.db);
    const tables = database.sqlite
      .prepare("SELECT name, type FROM sqlite_master WHERE name IN ('samples', 'series', 'sample_points')")
      .all();
    expect(tables).toEqual(
      expect.arrayContaining([
        { name: 'samples', type: 'view' },
        { name: 'series', type: 'table' },
        { name: 'sample_points', type: 'table' },
      ]),
    );
    expect(
      database.sqlite.prepare('SELECT machine, tag, ts_ms, value, quality FROM samples ORDER BY id').all(),
    ).toEqual([
      { machine: 'press-1', tag: 'speed', ts_ms: 1700000000100, value: '1.5', quality: 'good' },
      { machine: 'press-1', tag: 'state', ts_ms: 1700000000200, value: '"RUN"', quality: 'uncertain' },
      { machine: 'press-1', tag: 'speed', ts_ms: 1700000000300, value: '3', quality: 'good' },
      { machine: 'press-1', tag: 'speed', ts_ms: 1700000000400, value: 'true', quality: 'good' },
      { machine: 'press-2', tag: 'speed', ts_ms: 1700000000500, value: 'null', quality: 'bad' },
      { machine: 'press-2', tag: 'speed', ts_ms: 1700000000600, value: '6', quality: 'good' },
    ]);
    expect(samples.count()).toBe(6);
    expect(samples.localBytes()).toBe(600);

    // The oldest go first, by the age the uuids gave them.
    expect(samples.pruneOldest(200)).toEqual({ rows: 2, bytes: 200 });
    expect(database.sqlite.prepare('SELECT min(ts_ms) AS oldest FROM samples').get()).toEqual({
      oldest: 1700000000300,
    });
    expect(samples.pruneBefore(1700000000500)).toEqual({ rows: 2, bytes: 200 });
    expect(samples.localBytes()).toBe(200);

    // New samples join the existing series and continue the stream's seqs.
    samples.insertMany([
      { id: 'new-1', machine: 'press-2', tag: 'speed', tsMs: 1700000000700, value: 7, quality: 'good' },
    ]);
    expect(database.sqlite.prepare('SELECT count(*) AS n FROM series').get()).toEqual({ n: 3 });
    expect(
      createOutboxRepository(database.db)
        .head('samples', 10)
        .map((r) => [r.seq, r.id]),
    ).toEqual([[8, 'new-1']]);
    database.close();

    // Opening again finds nothing left to upgrade.
    const reopened = openEdgeDatabase(database.file);
    expect(createSamplesRepository(reopened.db).count()).toBe(3);
    reopened.close();
  });
});
