import type { ChangeEntity } from '@unison/contracts';
import type { ReplicaRepository } from './replica.repository.ts';

export type DownlinkState =
  | 'waiting for enrollment'
  | 'not enrolled'
  | 'ok'
  | 'unreachable'
  | 'rejected'
  | 'failing';

export interface DownlinkStatus {
  state: DownlinkState;
  /** Highest change version applied since the last snapshot began. */
  version: number;
  snapshot: { active: boolean; rows: number; startedAt?: string; completedAt?: string };
  rows: Record<ChangeEntity, number>;
  lastSyncAt?: string;
  lastSyncAgeMs: number | null;
  /** Changes refused by validation and skipped, ever. */
  skippedRows: number;
  /** Requests and pages that failed since start. */
  errors: number;
  lastError?: string;
}

const iso = (ms: number | null) => (ms === null ? {} : { at: new Date(ms).toISOString() });

/** What the downlink is doing now, with what its state table has kept across restarts. */
export function downlinkTracker(replica: ReplicaRepository, now: () => number) {
  let state: DownlinkState = 'waiting for enrollment';
  let errors = 0;
  let lastError: string | undefined;
  return {
    ok() {
      state = 'ok';
    },
    set(next: DownlinkState) {
      state = next;
    },
    failed(next: DownlinkState, reason: string) {
      state = next;
      errors += 1;
      lastError = reason;
      replica.recordError(reason);
    },
    get(): DownlinkStatus {
      const persisted = replica.state();
      const started = iso(persisted.snapshotStartedMs).at;
      const completed = iso(persisted.snapshotCompletedMs).at;
      const lastSyncAt = iso(persisted.lastSuccessMs).at;
      const error = lastError ?? persisted.lastError ?? undefined;
      return {
        state,
        version: persisted.version,
        snapshot: {
          active: persisted.snapshotActive,
          rows: persisted.snapshotRows,
          ...(started ? { startedAt: started } : {}),
          ...(completed ? { completedAt: completed } : {}),
        },
        rows: replica.rowCounts(),
        ...(lastSyncAt ? { lastSyncAt } : {}),
        lastSyncAgeMs: persisted.lastSuccessMs === null ? null : Math.max(0, now() - persisted.lastSuccessMs),
        skippedRows: persisted.skippedRows,
        errors,
        ...(error ? { lastError: error } : {}),
      };
    },
  };
}

export type DownlinkTracker = ReturnType<typeof downlinkTracker>;
