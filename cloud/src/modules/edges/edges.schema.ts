import { z } from '@hono/zod-openapi';
import { PageQuery } from '../../http/pagination.ts';

export const Edge = z
  .object({
    id: z.uuid(),
    plantId: z.uuid(),
    name: z.string(),
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .openapi('Edge');
export type Edge = z.infer<typeof Edge>;

export const EdgeQuery = PageQuery.extend({
  plantId: z.uuid().optional(),
  revoked: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'only revoked, or only active edges' }),
});

export const EdgeIdParam = z.object({ edgeId: z.uuid() });

export interface EdgeRow {
  id: string;
  plant_id: string;
  name: string;
  created_at: Date | string;
  revoked_at: Date | string | null;
}

const iso = (at: Date | string) => new Date(at).toISOString();

export const toEdge = (row: EdgeRow): Edge => ({
  id: row.id,
  plantId: row.plant_id,
  name: row.name,
  createdAt: iso(row.created_at),
  revokedAt: row.revoked_at === null ? null : iso(row.revoked_at),
});
