import type { JWK } from 'jose';
import type { SqlSession } from '../../db/client.ts';
import { sqlFilter } from '../../http/pagination.ts';
import type { EdgeRow } from './edges.schema.ts';

export async function plantVisible(tx: SqlSession, plantId: string): Promise<boolean> {
  const rows = await tx.query('select 1 from plants where id = $1', [plantId]);
  return rows.length > 0;
}

export async function insertEnrollmentCode(
  tx: SqlSession,
  code: { codeHash: string; organizationId: string; plantId: string; expiresAt: Date },
): Promise<void> {
  await tx.query(
    'insert into edge_enrollment_codes (code_hash, org_id, plant_id, expires_at) values ($1, $2, $3, $4)',
    [code.codeHash, code.organizationId, code.plantId, code.expiresAt.toISOString()],
  );
}

export interface RedeemedCode {
  organizationId: string;
  plantId: string;
  edgeId: string;
  /** The code enrolled this same key before: the answer is that enrollment again. */
  replayed: boolean;
}

/**
 * Marks an unused, unexpired code used by `edgeId`, or finds the edge it enrolled before with this same
 * public key; undefined otherwise.
 */
export async function redeemEnrollmentCode(
  tx: SqlSession,
  redeem: { codeHash: string; edgeId: string; publicKey: JWK },
): Promise<RedeemedCode | undefined> {
  const [row] = await tx.query<{ org_id: string; plant_id: string; edge_id: string; replayed: boolean }>(
    'select org_id, plant_id, edge_id, replayed from edges_redeem_enrollment_code($1, $2, $3)',
    [redeem.codeHash, redeem.edgeId, JSON.stringify(redeem.publicKey)],
  );
  return (
    row && { organizationId: row.org_id, plantId: row.plant_id, edgeId: row.edge_id, replayed: row.replayed }
  );
}

export async function insertEdge(
  tx: SqlSession,
  edge: { id: string; organizationId: string; plantId: string; name: string; publicKey: JWK },
): Promise<void> {
  await tx.query('insert into edges (id, org_id, plant_id, name, public_key) values ($1, $2, $3, $4, $5)', [
    edge.id,
    edge.organizationId,
    edge.plantId,
    edge.name,
    JSON.stringify(edge.publicKey),
  ]);
}

export interface EdgeForAssertion {
  organizationId: string;
  plantId: string;
  publicKey: JWK;
  revoked: boolean;
}

/** Runs before the tenant is known, through the SECURITY DEFINER lookup. */
export async function findEdgeForAssertion(
  tx: SqlSession,
  edgeId: string,
): Promise<EdgeForAssertion | undefined> {
  const [row] = await tx.query<{
    org_id: string;
    plant_id: string;
    public_key: JWK;
    revoked_at: Date | null;
  }>('select org_id, plant_id, public_key, revoked_at from edges_find_for_assertion($1)', [edgeId]);
  return (
    row && {
      organizationId: row.org_id,
      plantId: row.plant_id,
      publicKey: row.public_key,
      revoked: row.revoked_at !== null,
    }
  );
}

/** Records an assertion id; false when the edge used it before. */
export async function recordAssertionJti(
  tx: SqlSession,
  jti: { edgeId: string; jti: string; organizationId: string; expiresAt: Date },
): Promise<boolean> {
  const inserted = await tx.query(
    `insert into edge_assertion_jtis (edge_id, jti, org_id, expires_at) values ($1, $2, $3, $4)
     on conflict do nothing returning 1`,
    [jti.edgeId, jti.jti, jti.organizationId, jti.expiresAt.toISOString()],
  );
  return inserted.length === 1;
}

/** Deletes expired assertion ids of every tenant; returns how many. */
export async function purgeExpiredJtis(tx: SqlSession): Promise<number> {
  const [row] = await tx.query<{ purged: number }>('select edges_purge_expired_jtis() as purged');
  return Number(row?.purged ?? 0);
}

const EDGE_COLUMNS = 'id, plant_id, name, created_at, revoked_at';

export async function listEdges(
  tx: SqlSession,
  query: { plantId?: string; revoked?: boolean; limit: number; after?: readonly unknown[] },
): Promise<EdgeRow[]> {
  const filter = sqlFilter()
    .add('plant_id = $?', query.plantId)
    .add(query.revoked ? 'revoked_at is not null' : 'revoked_at is null', query.revoked)
    .after('id', query.after);
  return tx.query<EdgeRow>(
    `select ${EDGE_COLUMNS} from edges ${filter.where()} order by id limit ${filter.bind(query.limit + 1)}`,
    filter.params,
  );
}

export async function findEdge(tx: SqlSession, edgeId: string): Promise<EdgeRow | undefined> {
  const [row] = await tx.query<EdgeRow>(`select ${EDGE_COLUMNS} from edges where id = $1`, [edgeId]);
  return row;
}

/** Revokes an active edge; undefined when the edge is unknown, invisible or revoked already. */
export async function revokeEdge(tx: SqlSession, edgeId: string): Promise<EdgeRow | undefined> {
  const [row] = await tx.query<EdgeRow>(
    `update edges set revoked_at = now() where id = $1 and revoked_at is null returning ${EDGE_COLUMNS}`,
    [edgeId],
  );
  return row;
}
