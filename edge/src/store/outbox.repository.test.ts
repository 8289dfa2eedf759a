import { join } from 'node:path';
import { tempDir } from '@unison/testkit';
import { uuidv7 } from 'uuidv7';
import { afterEach, describe, expect, it } from 'vitest';
import { createOutboxRepository } from './outbox.repository.ts';
import { createSamplesRepository } from './samples.repository.ts';
import { openEdgeDatabase } from './sqlite.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function outboxWith(count: number) {
  const dir = tempDir('unison-edge-outbox-');
  const database = openEdgeDatabase(join(dir.path, 'edge.db'));
  cleanups.push(
    () => dir.remove(),
    () => database.close(),
  );
  createSamplesRepository(database.db).insertMany(
    Array.from({ length: count }, (_, i) => ({
      id: uuidv7(),
      machine: 'press-1',
      tag: 'speed',
      tsMs: 1_700_000_000_000 + i,
      value: i,
      quality: 'good' as const,
    })),
  );
  return createOutboxRepository(database.db);
}

describe('outbox: pending records and deletes', () => {
  it('reads the stored record texts after a given seq, within a size budget', () => {
    const outbox = outboxWith(10);
    const head = outbox.head('samples', 10);
    const pending = outbox.pending('samples', { limit: 10 });
    expect(pending.map((r) => [r.seq, JSON.parse(r.json), r.sizeBytes])).toEqual(
      head.map((r) => [r.seq, r.record, r.sizeBytes]),
    );
    expect(outbox.pending('samples', { afterSeq: 7, limit: 10 }).map((r) => r.seq)).toEqual([8, 9, 10]);
    expect(outbox.pending('samples', { afterSeq: 2, limit: 3 }).map((r) => r.seq)).toEqual([3, 4, 5]);
    const size = head[0]!.sizeBytes;
    expect(outbox.pending('samples', { limit: 10, maxBytes: size * 2 + 1 })).toHaveLength(2);
    // One record always goes, whatever its size.
    expect(outbox.pending('samples', { limit: 10, maxBytes: 1 })).toHaveLength(1);
    expect(outbox.pending('events', { limit: 10 })).toEqual([]);
  });

  it('deletes through or below a seq and keeps the backlog bytes in step', () => {
    const outbox = outboxWith(10);
    const sizes = outbox.head('samples', 10).map((r) => r.sizeBytes);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    expect(outbox.backlog('samples').bytes).toBe(total);
    expect(outbox.deleteThrough('samples', 4)).toBe(4);
    expect(outbox.deleteThrough('samples', 4)).toBe(0);
    expect(outbox.deleteBelow('samples', 7)).toBe(2);
    expect(outbox.backlog('samples')).toMatchObject({
      rows: 4,
      minSeq: 7,
      bytes: total - sizes.slice(0, 6).reduce((sum, size) => sum + size, 0),
    });
    expect(outbox.deleteThrough('samples', 100)).toBe(4);
    expect(outbox.backlog('samples')).toMatchObject({ rows: 0, bytes: 0, lastSeq: 10 });
  });
});
