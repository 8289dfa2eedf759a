import type { Database } from '../../db/client.ts';
import { type Authorizer, asCaller } from '../../http/authorize.ts';
import { createRouter, jsonResponse, problems } from '../../http/openapi.ts';
import { decodeCursor, pageOf, toPage } from '../../http/pagination.ts';
import { listAudit } from './audit.repository.ts';
import { AuditEntry, AuditQuery, toAuditEntry } from './audit.schema.ts';

export function auditRoutes({ db, authorizer }: { db: Database; authorizer: Authorizer }) {
  const list = authorizer.route({
    method: 'get',
    path: '/api/v1/audit',
    tags: ['audit'],
    summary: 'Every write in the organization, newest first: who, when, what, before and after',
    'x-permission': 'audit:read',
    request: { query: AuditQuery },
    responses: {
      200: jsonResponse(pageOf(AuditEntry), 'A page of audit entries'),
      ...problems(401, 403, 422),
    },
  });
  return createRouter().openapi(list, async (c) => {
    const { cursor, limit, ...filters } = c.req.valid('query');
    const after = decodeCursor(cursor, 2);
    const rows = await asCaller(c, db, (tx) => listAudit(tx, { ...filters, limit, after }));
    return c.json(
      toPage(rows, limit, (row) => [row.at_text, row.id], toAuditEntry),
      200,
    );
  });
}
