import type { SqlSession } from '../../db/client.ts';
import { sqlFilter } from '../../http/pagination.ts';
import type { AuditRow } from './audit.schema.ts';

/** Newest first; `at_text` keeps microseconds for the cursor, which a JavaScript Date would drop. */
export async function listAudit(
  tx: SqlSession,
  query: {
    table?: string;
    rowId?: string;
    actorId?: string;
    action?: string;
    from?: string;
    to?: string;
    limit: number;
    after?: readonly unknown[];
  },
): Promise<AuditRow[]> {
  const filter = sqlFilter()
    .add('table_name = $?', query.table)
    .add('row_id = $?', query.rowId)
    .add('actor_id = $?', query.actorId)
    .add('action = $?', query.action)
    .add('at >= $?', query.from)
    .add('at < $?', query.to);
  if (query.after) filter.add('(at, id) < ($?::timestamptz, $?::uuid)', query.after[0], query.after[1]);
  return tx.query<AuditRow>(
    `select id, at, at::text as at_text, actor_type, actor_id, action, table_name, row_id, before, after
     from audit_log ${filter.where()} order by at desc, id desc limit ${filter.bind(query.limit + 1)}`,
    filter.params,
  );
}
