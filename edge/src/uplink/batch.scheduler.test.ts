import { describe, expect, it } from 'vitest';
import type { OutboxRecord } from '../store/outbox.repository.ts';
import { createBatchScheduler } from './batch.scheduler.ts';

function fakeOutbox(counts: { events: number; samples: number }) {
  const next = { events: 1, samples: 1 };
  const outbox = {
    head(stream: 'events' | 'samples', limit: number): OutboxRecord[] {
      const available = counts[stream] - next[stream] + 1;
      return Array.from({ length: Math.max(0, Math.min(limit, available)) }, (_, i) => ({
        stream,
        seq: next[stream] + i,
        id: `${stream}-${next[stream] + i}`,
        tsMs: 0,
        record: {},
        sizeBytes: 10,
      }));
    },
    backlog: () =>
      ({ droppedThroughSeq: 0 }) as ReturnType<
        Parameters<typeof createBatchScheduler>[0]['outbox']['backlog']
      >,
    sent(stream: 'events' | 'samples', records: OutboxRecord[]) {
      next[stream] = records.at(-1)!.seq + 1;
    },
  };
  return outbox;
}

describe('batch scheduler', () => {
  it('serves events first, lets samples through between event bursts, and keeps each stream in order', () => {
    const outbox = fakeOutbox({ events: 50, samples: 50 });
    let clock = 0;
    const scheduler = createBatchScheduler({
      outbox,
      batchSize: 5,
      batchMaxBytes: 1e6,
      maxAgeMs: 1000,
      eventBurst: 3,
      now: () => clock,
    });
    const order: string[] = [];
    const seqs = { events: [] as number[], samples: [] as number[] };
    for (let i = 0; i < 8; i++) {
      const planned = scheduler.next()!;
      order.push(planned.stream[0]!);
      seqs[planned.stream].push(...planned.records.map((r) => r.seq));
      outbox.sent(planned.stream, planned.records);
      clock += 10;
    }
    expect(order.join('')).toBe('eeeseees');
    expect(seqs.events).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(seqs.samples).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('holds back a partial samples batch until it is old enough, but never an event', () => {
    const outbox = fakeOutbox({ events: 1, samples: 7 });
    let clock = 0;
    const scheduler = createBatchScheduler({
      outbox,
      batchSize: 5,
      batchMaxBytes: 1e6,
      maxAgeMs: 1000,
      now: () => clock,
    });
    const first = scheduler.next()!;
    expect(first.stream).toBe('events');
    outbox.sent('events', first.records);
    const full = scheduler.next()!;
    expect([full.stream, full.records.length]).toEqual(['samples', 5]);
    outbox.sent('samples', full.records);
    clock += 500;
    expect(scheduler.next()).toBeUndefined();
    clock += 600;
    expect(scheduler.next()?.records.map((r) => r.seq)).toEqual([6, 7]);
  });

  it('holds a refused stream while the other goes on', () => {
    const outbox = fakeOutbox({ events: 10, samples: 10 });
    let clock = 0;
    const scheduler = createBatchScheduler({
      outbox,
      batchSize: 5,
      batchMaxBytes: 1e6,
      maxAgeMs: 0,
      now: () => clock,
    });
    scheduler.hold('events', 100);
    expect(scheduler.next()?.stream).toBe('samples');
    clock = 101;
    expect(scheduler.next()?.stream).toBe('events');
  });
});
