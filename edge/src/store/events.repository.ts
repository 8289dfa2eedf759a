import type { EdgeEvent } from '@unison/contracts';
import { count } from './drizzle.ts';
import { createOutboxRepository } from './outbox.repository.ts';
import { events } from './schema.ts';
import type { EdgeDb } from './sqlite.ts';
import { hotStatements } from './statements.ts';

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
  const statements = hotStatements(db);
  return {
    /** Stores the events and queues them in the events stream in ONE transaction: both or neither. */
    insertMany(records: EdgeEvent[]): void {
      if (records.length === 0) return;
      statements.transaction(() => {
        for (const e of records) {
          statements.insertEvent.run(
            e.id,
            e.type,
            e.machine ?? null,
            e.source,
            e.tsMs,
            e.durationMs ?? null,
            JSON.stringify(e.payload),
          );
        }
        outbox.append(
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
