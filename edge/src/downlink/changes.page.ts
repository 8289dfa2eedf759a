import { Change, type ChangeEntity, ChangesPage, MAX_CHANGES_PAGE, REPLICA_ROWS } from '@unison/contracts';
import { z } from 'zod';

const [SnapshotPage, ChangeLogPage, RefetchPage] = ChangesPage.options;
const UncheckedChanges = z.array(z.unknown()).max(MAX_CHANGES_PAGE);

/** The page as the contract has it, but with its changes left to be checked one by one. */
const PageEnvelope = z.discriminatedUnion('kind', [
  SnapshotPage.extend({ changes: UncheckedChanges }),
  ChangeLogPage.extend({ changes: UncheckedChanges }),
  RefetchPage,
]);

export interface SkippedChange {
  entity?: ChangeEntity;
  id?: string;
  version?: number;
  reason: string;
}

export type CheckedPage =
  | (Extract<ChangesPage, { kind: 'snapshot' | 'changes' }> & { skipped: SkippedChange[] })
  | Extract<ChangesPage, { kind: 'refetch' }>;

/**
 * Validates a page against the contract. A malformed page as a whole is an error (undefined with
 * the reason); a single change or row that fails is set aside in `skipped`, so one bad row never
 * stalls the feed.
 */
export function checkChangesPage(json: unknown): { page: CheckedPage } | { error: string } {
  const envelope = PageEnvelope.safeParse(json);
  if (!envelope.success) return { error: `not a changes page: ${z.prettifyError(envelope.error)}` };
  const page = envelope.data;
  if (page.kind === 'refetch') return { page };
  const changes: Change[] = [];
  const skipped: SkippedChange[] = [];
  for (const raw of page.changes) {
    const checked = checkChange(raw);
    if ('reason' in checked) skipped.push(checked);
    else changes.push(checked);
  }
  return { page: { ...page, changes, skipped } };
}

function checkChange(raw: unknown): Change | SkippedChange {
  const change = Change.safeParse(raw);
  if (!change.success) return { ...identify(raw), reason: z.prettifyError(change.error) };
  if (change.data.op === 'delete') return change.data;
  const { entity, id, version } = change.data;
  const row = REPLICA_ROWS[entity].safeParse(change.data.row);
  if (!row.success) return { entity, id, version, reason: z.prettifyError(row.error) };
  if (row.data.id !== id)
    return { entity, id, version, reason: `row id ${row.data.id} is not the change's id` };
  return { ...change.data, row: row.data };
}

/** Whatever names the change, for the log line about a change that is not one. */
function identify(raw: unknown): Omit<SkippedChange, 'reason'> {
  if (typeof raw !== 'object' || raw === null) return {};
  const { entity, id, version } = raw as Record<string, unknown>;
  return {
    ...(typeof entity === 'string' ? { entity: entity as ChangeEntity } : {}),
    ...(typeof id === 'string' ? { id } : {}),
    ...(typeof version === 'number' ? { version } : {}),
  };
}
