import { uuidv7 } from 'uuidv7';
import { eq } from './drizzle.ts';
import { meta } from './schema.ts';
import type { EdgeDb } from './sqlite.ts';

const EPOCH_KEY = 'producer_epoch';

/**
 * The producer epoch: made once when the database file is created, so the cloud can tell a
 * recreated database (whose seq restarts at 1) from the one it replaced.
 */
export function producerEpoch(db: EdgeDb): string {
  return db.transaction((tx) => {
    const found = tx.select().from(meta).where(eq(meta.key, EPOCH_KEY)).get();
    if (found) return found.value;
    const epoch = uuidv7();
    tx.insert(meta).values({ key: EPOCH_KEY, value: epoch }).run();
    return epoch;
  });
}
