import type { EdgeEvent } from '@unison/contracts';
import { count } from 'drizzle-orm';
import { createOutboxRepository } from './outbox.repository.ts';
import { events } from './schema.ts';
import type { EdgeDb } from './sqlite.ts';

/** The event as it travels, without its seq. */
export const eventWireRecord = (e: EdgeEvent) =>
  JSON.stringify({
    id: e.id,
    type: e.type,
    ...(e.machine === undefined ? {} : { machine: e.machine }),
    source: e.source,
    ts: new Date(e.tsMs).toISOString(),
    ...(e.durationMs === undefined ? {} : { durationMs: e.durationMs }),
    payload: e.payload,
  });

export function createEventsRepository(db: EdgeDb) {
  const outbox = createOutboxRepository(db);
  return {
    /** Stores the events and queues them in the events stream in ONE transaction: both or neither. */
    insertMany(records: EdgeEvent[]): void {
      if (records.length === 0) return;
      db.transaction((tx) => {
        tx.insert(events)
          .values(
            records.map((e) => ({
              id: e.id,
              type: e.type,
              machine: e.machine ?? null,
              source: e.source,
              tsMs: e.tsMs,
              durationMs: e.durationMs ?? null,
              payload: JSON.stringify(e.payload),
            })),
          )
          .run();
        outbox.append(
          tx,
          'events',
          records.map((e) => ({ id: e.id, tsMs: e.tsMs, record: eventWireRecord(e) })),
        );
      });
    },
    count(): number {
      return db.select({ n: count() }).from(events).get()?.n ?? 0;
    },
  };
}

export type EventsRepository = ReturnType<typeof createEventsRepository>;
