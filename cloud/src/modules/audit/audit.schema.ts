import { z } from '@hono/zod-openapi';
import { PageQuery } from '../../http/pagination.ts';
import { Timestamp } from '../plants/plants.schema.ts';

export const AuditEntry = z
  .object({
    id: z.uuid(),
    at: Timestamp,
    actor: z.object({ type: z.enum(['user', 'edge', 'platform_admin', 'system']), id: z.uuid().nullable() }),
    action: z.enum(['insert', 'update', 'delete']),
    table: z.string(),
    rowId: z.string().nullable(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('AuditEntry');
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = PageQuery.extend({
  table: z.string().max(63).optional(),
  rowId: z.string().max(200).optional(),
  actorId: z.uuid().optional(),
  action: z.enum(['insert', 'update', 'delete']).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export interface AuditRow {
  id: string;
  at: Date;
  at_text: string;
  actor_type: AuditEntry['actor']['type'];
  actor_id: string | null;
  action: AuditEntry['action'];
  table_name: string;
  row_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export const toAuditEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.at.toISOString(),
  actor: { type: row.actor_type, id: row.actor_id },
  action: row.action,
  table: row.table_name,
  rowId: row.row_id,
  before: row.before,
  after: row.after,
});
