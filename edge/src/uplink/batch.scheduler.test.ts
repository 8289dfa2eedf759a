import { describe, expect, it } from 'vitest';
import type { PendingRecord } from '../store/outbox.repository.ts';
import { createBatchScheduler, uploadJson } from './batch.scheduler.ts';

function fakeOutbox(counts: { events: number; samples: number }) {
  const next = { events: 1, samples: 1 };
  const outbox = {
    pending(
      stream: 'events' | 'samples',
      { afterSeq = 0, limit }: { afterSeq?: number; limit: number },
    ): PendingRecord[] {
      const from = Math.max(next[stream], afterSeq + 1);
      const available = counts[stream] - from + 1;
      return Array.from({ length: Math.max(0, Math.min(limit, available)) }, (_, i) => ({
        seq: from + i,
        json: '{}',
        sizeBytes: 10,
      }));
    },
    backlog: () =>
      ({ droppedThroughSeq: 0 }) as ReturnType<
        Parameters<typeof createBatchScheduler>[0]['outbox']['backlog']
      >,
    sent(stream: 'events' | 'samples', records: PendingRecord[]) {
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

describe('batch scheduler: planning ahead', () => {
  it('plans the batch after one on its way without committing the choice', () => {
    const outbox = fakeOutbox({ events: 0, samples: 30 });
    const scheduler = createBatchScheduler({ outbox, batchSize: 10, batchMaxBytes: 1e6, maxAgeMs: 0 });
    const inFlight = scheduler.next()!;
    const ahead = scheduler.plan({ samples: inFlight.records.at(-1)!.seq })!;
    expect(ahead.records.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 11 + i));
    // Only looked: the head is planned again as long as nothing was acknowledged.
    expect(scheduler.plan()!.records[0]!.seq).toBe(1);
  });

  it('lets a samples batch planned ahead give way to events, unless samples have their turn', () => {
    const outbox = fakeOutbox({ events: 50, samples: 50 });
    const scheduler = createBatchScheduler({
      outbox,
      batchSize: 5,
      batchMaxBytes: 1e6,
      maxAgeMs: 0,
      eventBurst: 2,
    });
    const samples = {
      stream: 'samples' as const,
      records: [{ seq: 1, json: '{}', sizeBytes: 2 }],
      droppedThroughSeq: 0,
    };
    const events = { ...samples, stream: 'events' as const };
    expect(scheduler.stillFirst(samples, () => true)).toBe(false);
    expect(scheduler.stillFirst(samples, () => false)).toBe(true);
    expect(scheduler.stillFirst(events, () => true)).toBe(true);
    scheduler.sent(scheduler.plan()!);
    scheduler.sent(scheduler.plan()!);
    // Two event batches in a row: the samples' turn, events waiting or not.
    expect(scheduler.stillFirst(samples, () => true)).toBe(true);
    scheduler.hold('samples', 1000);
    expect(scheduler.stillFirst(samples, () => false)).toBe(false);
  });

  it('builds the upload text from the stored record texts, as JSON.stringify of the batch would', () => {
    const epoch = '0195f3a2-6b8c-7d4e-9f00-112233445566';
    const records = [
      { seq: 7, json: '{"id":"a","value":"x\\"y","quality":"good"}', sizeBytes: 40 },
      { seq: 8, json: '{}', sizeBytes: 2 },
    ];
    const samples = uploadJson(epoch, { stream: 'samples', records, droppedThroughSeq: 6 });
    expect(samples).toBe(
      JSON.stringify({
        stream: 'samples',
        epoch,
        droppedThroughSeq: 6,
        records: [{ seq: 7, id: 'a', value: 'x"y', quality: 'good' }, { seq: 8 }],
      }),
    );
    const events = uploadJson(epoch, { stream: 'events', records, droppedThroughSeq: 6 });
    expect(JSON.parse(events)).toEqual({
      stream: 'events',
      epoch,
      records: [{ seq: 7, id: 'a', value: 'x"y', quality: 'good' }, { seq: 8 }],
    });
  });
});
