import { z } from 'zod';

/**
 * The downlink: a plant-scoped change feed from the cloud to its edge.
 *
 * `GET /api/v1/sync/changes?cursor=<opaque>&wait=<seconds>` (edge assertion, audience `sync`).
 * Without a cursor, or with a cursor from a `refetch` answer, the cloud starts a snapshot: every
 * current row of the plant, in pages, the first one marked `reset` (the edge clears its replica in
 * the same SQLite transaction that applies it). The last snapshot page hands over to the change log
 * at the version the snapshot started from, so nothing written meanwhile is missed. A change-log
 * cursor older than the retained log gets `refetch`. With `wait`, a change-log request that finds
 * nothing new is held until a change commits or the wait ends (long-poll).
 */

/** What the edge replicates; each has its own row shape below. */
export const CHANGE_ENTITIES = [
  'machine',
  'machine_tag',
  'material',
  'work_order',
  'label_template',
  'role',
  'user',
  'signing_key',
] as const;
export type ChangeEntity = (typeof CHANGE_ENTITIES)[number];

// Replica rows are plain objects: fields a newer cloud adds are dropped by an older edge rather than
// making it refuse every row of that entity.
const id = z.uuid();
const timestamp = z.iso.datetime({ offset: true });

export const ReplicaMachine = z.object({
  id,
  code: z.string(),
  name: z.string(),
  lineId: id.nullable(),
});

/** What the cloud knows of one tag: how a supervisor reads it (unit, limits), not how it is polled. */
export const ReplicaMachineTag = z.object({
  id,
  machineId: id,
  tag: z.string(),
  description: z.string(),
  unit: z.string().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
});

export const ReplicaMaterial = z.object({
  id,
  code: z.string(),
  name: z.string(),
  unit: z.string(),
});

export const WORK_ORDER_STATUSES = ['planned', 'released', 'running', 'completed', 'cancelled'] as const;

export const ReplicaWorkOrder = z.object({
  id,
  number: z.string(),
  materialId: id,
  machineId: id.nullable(),
  quantity: z.number(),
  status: z.enum(WORK_ORDER_STATUSES),
  dueAt: timestamp.nullable(),
});

export const ReplicaLabelTemplate = z.object({
  id,
  code: z.string(),
  name: z.string(),
  /** ZPL with `{{variable}}` placeholders, as the edge's label renderer takes it. */
  zpl: z.string(),
  revision: z.number().int().positive(),
});

export const ReplicaRole = z.object({
  id,
  key: z.string(),
  name: z.string(),
  permissions: z.array(z.string()),
});

/** A user who may sign in on the edge's LAN UI while the cloud is unreachable. */
export const ReplicaUser = z.object({
  id,
  email: z.string(),
  /** argon2id PHC string, exactly as the cloud stores it. */
  passwordHash: z.string(),
  active: z.boolean(),
  roleIds: z.array(id),
  /** `'*'` for every plant of the organization. */
  plantIds: z.union([z.literal('*'), z.array(id)]),
});

/** One public key of the cloud's JWKS, so the edge verifies cloud-issued tokens offline. */
export const ReplicaSigningKey = z.object({
  id: z.string().min(1).max(200),
  jwk: z.record(z.string(), z.unknown()),
  retiredAt: timestamp.nullable(),
});

export const REPLICA_ROWS = {
  machine: ReplicaMachine,
  machine_tag: ReplicaMachineTag,
  material: ReplicaMaterial,
  work_order: ReplicaWorkOrder,
  label_template: ReplicaLabelTemplate,
  role: ReplicaRole,
  user: ReplicaUser,
  signing_key: ReplicaSigningKey,
} as const satisfies Record<ChangeEntity, z.ZodType>;

const entityId = z.string().min(1).max(200);

/** One change: an upsert carries the whole row; a delete is a tombstone carrying the id alone. */
export const Change = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('upsert'),
    version: z.number().int().nonnegative(),
    entity: z.enum(CHANGE_ENTITIES),
    id: entityId,
    row: z.record(z.string(), z.unknown()),
  }),
  z.strictObject({
    op: z.literal('delete'),
    version: z.number().int().nonnegative(),
    entity: z.enum(CHANGE_ENTITIES),
    id: entityId,
  }),
]);
export type Change = z.infer<typeof Change>;

/** Most changes one page carries. */
export const MAX_CHANGES_PAGE = 1000;

export const ChangesPage = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('snapshot'),
    /** First page of a snapshot: the edge empties its replica before applying it. */
    reset: z.boolean(),
    changes: z.array(Change).max(MAX_CHANGES_PAGE),
    cursor: z.string().min(1),
    /** Another page is ready now: ask again without waiting. */
    more: z.boolean(),
  }),
  z.strictObject({
    kind: z.literal('changes'),
    changes: z.array(Change).max(MAX_CHANGES_PAGE),
    cursor: z.string().min(1),
    more: z.boolean(),
  }),
  z.strictObject({
    kind: z.literal('refetch'),
    /** Why the cursor cannot continue, e.g. older than the retained change log. */
    reason: z.string(),
  }),
]);
export type ChangesPage = z.infer<typeof ChangesPage>;

/** Longest long-poll the cloud holds a request, in seconds. */
export const MAX_CHANGES_WAIT_S = 30;
