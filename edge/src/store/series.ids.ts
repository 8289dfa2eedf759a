import type Database from 'better-sqlite3';
import type { EdgeDb } from './sqlite.ts';

export interface SeriesIds {
  /** The id of a machine/tag pair, made on first sight; call it inside the write's transaction. */
  resolve(machine: string, tag: string): number;
  /** After the write: remembers the ids it made only if they are committed, so a rollback leaves no stale id. */
  settle(committed: boolean): void;
}

const perConnection = new WeakMap<Database.Database, SeriesIds>();

/** Machine/tag pairs interned as small integers, cached per connection. */
export function seriesIds(db: EdgeDb): SeriesIds {
  const sqlite = db.$client;
  const known = perConnection.get(sqlite);
  if (known) return known;
  const insert = sqlite.prepare<[string, string]>(
    'INSERT OR IGNORE INTO series (machine, tag) VALUES (?, ?)',
  );
  const select = sqlite
    .prepare<[string, string], number>('SELECT id FROM series WHERE machine = ? AND tag = ?')
    .pluck();
  type IdsByMachine = Map<string, Map<string, number>>;
  const committed: IdsByMachine = new Map();
  let unsettled: IdsByMachine = new Map();
  const remember = (into: IdsByMachine, machine: string, tag: string, id: number) => {
    let tags = into.get(machine);
    if (!tags) {
      tags = new Map();
      into.set(machine, tags);
    }
    tags.set(tag, id);
  };

  const ids: SeriesIds = {
    resolve(machine, tag) {
      const id = committed.get(machine)?.get(tag) ?? unsettled.get(machine)?.get(tag);
      if (id !== undefined) return id;
      insert.run(machine, tag);
      const made = select.get(machine, tag);
      if (made === undefined) throw new Error(`series ${machine}/${tag} not stored`);
      remember(unsettled, machine, tag, made);
      return made;
    },
    settle(isCommitted) {
      if (isCommitted && unsettled.size > 0) {
        for (const [machine, tags] of unsettled)
          for (const [tag, id] of tags) remember(committed, machine, tag, id);
      }
      if (unsettled.size > 0) unsettled = new Map();
    },
  };
  perConnection.set(sqlite, ids);
  return ids;
}
