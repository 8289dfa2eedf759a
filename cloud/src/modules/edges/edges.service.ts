import type { SqlSession } from '../../db/client.ts';
import { notFound } from '../../http/problem.ts';
import { findEdge, revokeEdge } from './edges.repository.ts';
import type { EdgeRow } from './edges.schema.ts';

/** Revokes the edge (its next request is refused); revoking it again changes nothing. */
export async function revokeVisibleEdge(tx: SqlSession, edgeId: string): Promise<EdgeRow> {
  const revoked = await revokeEdge(tx, edgeId);
  if (revoked) return revoked;
  const existing = await findEdge(tx, edgeId);
  if (!existing) throw notFound('edge');
  return existing;
}
