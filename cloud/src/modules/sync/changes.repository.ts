import type { ChangeEntity } from '@unison/contracts';
import type { SqlSession } from '../../db/client.ts';

// Every query here runs in the edge's tenant context: RLS shows the organization's rows and, for
// plant-scoped tables, only the edge's plant.

export interface LogEntry {
  version: number;
  entity: ChangeEntity;
  entity_id: string;
}

export interface LogBounds {
  /** The newest committed version the edge can see (or the newest one retention removed). */
  version: number;
  /** The newest version retention has removed; a cursor below it cannot continue. */
  prunedThrough: number;
}

export async function logBounds(tx: SqlSession): Promise<LogBounds> {
  const [row] = await tx.query<{ version: string; pruned_through: string }>(
    `select coalesce((select max(version) from change_log), 0) as version,
            coalesce((select pruned_through from change_versions), 0) as pruned_through`,
  );
  const prunedThrough = Number(row?.pruned_through ?? 0);
  return { version: Math.max(Number(row?.version ?? 0), prunedThrough), prunedThrough };
}

export async function readLog(tx: SqlSession, afterVersion: number, limit: number): Promise<LogEntry[]> {
  const rows = await tx.query<{ version: string; entity: ChangeEntity; entity_id: string }>(
    'select version, entity, entity_id from change_log where version > $1 order by version limit $2',
    [afterVersion, limit],
  );
  return rows.map((row) => ({ ...row, version: Number(row.version) }));
}

/** Removes every organization's changes older than `olderThanMs`; returns how many went. */
export async function pruneLog(tx: SqlSession, olderThanMs: number): Promise<number> {
  const [row] = await tx.query<{ removed: number }>(
    `select change_log_prune(make_interval(secs => $1::double precision / 1000)) as removed`,
    [olderThanMs],
  );
  return row?.removed ?? 0;
}

/** One replicated row as its entity's SQL returns it; `id` is its key. */
export type SourceRow = { id: string } & Record<string, unknown>;

interface EntitySource {
  /** A select whose rows each carry `id`; the edge's plant is `app.plant_id`. */
  select: string;
  idType: 'uuid' | 'text';
}

// Keys retired longer ago than this verify nothing any more, wherever the rollover window is set.
const SIGNING_KEY_HORIZON = "interval '30 days'";

const SOURCES: Record<ChangeEntity, EntitySource> = {
  machine: { select: 'select id, code, name, line_id from machines', idType: 'uuid' },
  machine_tag: {
    select: 'select id, machine_id, tag, description, unit, low, high from machine_tags',
    idType: 'uuid',
  },
  material: { select: 'select id, code, name, unit from materials', idType: 'uuid' },
  work_order: {
    select: 'select id, number, material_id, machine_id, quantity, status, due_at from work_orders',
    idType: 'uuid',
  },
  label_template: { select: 'select id, code, name, zpl, revision from label_templates', idType: 'uuid' },
  role: { select: 'select id, key, name, permissions from roles', idType: 'uuid' },
  // The users who may sign in at this plant: every plant, or this one among theirs.
  user: {
    select: `select u.id, u.email, u.password_hash, u.deactivated_at is null as active, u.all_plants,
               coalesce((select array_agg(r.role_id order by r.role_id) from user_roles r
                         where r.user_id = u.id), '{}') as role_ids,
               coalesce((select array_agg(a.plant_id order by a.plant_id) from user_plant_access a
                         where a.user_id = u.id), '{}') as plant_ids
             from users u
             where u.all_plants
                or exists (select 1 from user_plant_access a where a.user_id = u.id
                           and a.plant_id = nullif(current_setting('app.plant_id', true), '')::uuid)`,
    idType: 'uuid',
  },
  signing_key: {
    select: `select kid as id, public_jwk, retired_at
             from sync_signing_keys(null, now() - ${SIGNING_KEY_HORIZON})`,
    idType: 'text',
  },
};

/** The entity's rows in id order after `afterId`; at most `limit`. */
export function readRowsAfter(
  tx: SqlSession,
  entity: ChangeEntity,
  afterId: string | null,
  limit: number,
): Promise<SourceRow[]> {
  const { select, idType } = SOURCES[entity];
  return tx.query<SourceRow>(
    `select * from (${select}) s where $1::${idType} is null or s.id > $1::${idType} order by s.id limit $2`,
    [afterId, limit],
  );
}

/** The entity's rows with these ids that the edge can see now; the others are gone for it. */
export function readRowsById(tx: SqlSession, entity: ChangeEntity, ids: string[]): Promise<SourceRow[]> {
  const { select, idType } = SOURCES[entity];
  return tx.query<SourceRow>(`select * from (${select}) s where s.id = any($1::${idType}[])`, [ids]);
}
