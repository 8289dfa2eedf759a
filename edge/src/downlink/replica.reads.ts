import type {
  ChangeEntity,
  ReplicaLabelTemplate,
  ReplicaMachine,
  ReplicaMachineTag,
  ReplicaMaterial,
  ReplicaRole,
  ReplicaSigningKey,
  ReplicaUser,
  ReplicaWorkOrder,
} from '@unison/contracts';
import type Database from 'better-sqlite3';
import type { z } from 'zod';

interface ReplicaRows {
  machine: z.infer<typeof ReplicaMachine>;
  machine_tag: z.infer<typeof ReplicaMachineTag>;
  material: z.infer<typeof ReplicaMaterial>;
  work_order: z.infer<typeof ReplicaWorkOrder>;
  label_template: z.infer<typeof ReplicaLabelTemplate>;
  role: z.infer<typeof ReplicaRole>;
  user: z.infer<typeof ReplicaUser>;
  signing_key: z.infer<typeof ReplicaSigningKey>;
}
export type ReplicaRow<E extends ChangeEntity> = ReplicaRows[E];
export type ReplicaUserRow = ReplicaRows['user'];

const parse = <E extends ChangeEntity>(found: unknown): ReplicaRow<E> | undefined =>
  found === undefined ? undefined : (JSON.parse((found as { row: string }).row) as ReplicaRow<E>);

/**
 * Typed reads of the replica. Rows were validated against the contract when they were applied,
 * so they are read back as they are.
 */
export function replicaReads(sqlite: Database.Database) {
  const byId = sqlite.prepare('SELECT row FROM replica WHERE entity = ? AND id = ?');
  const all = sqlite.prepare('SELECT row FROM replica WHERE entity = ? ORDER BY id');
  const userByEmail = sqlite.prepare(
    `SELECT row FROM replica WHERE entity = 'user' AND lower(json_extract(row, '$.email')) = lower(?)
     ORDER BY id LIMIT 1`,
  );
  return {
    get: <E extends ChangeEntity>(entity: E, id: string): ReplicaRow<E> | undefined =>
      parse<E>(byId.get(entity, id)),
    list: <E extends ChangeEntity>(entity: E): ReplicaRow<E>[] =>
      all.all(entity).map((found) => parse<E>(found)!),
    userByEmail: (email: string): ReplicaUserRow | undefined => parse<'user'>(userByEmail.get(email)),
    /** Every permission the user's roles grant. */
    permissionsOf(user: ReplicaUserRow): Set<string> {
      const permissions = new Set<string>();
      for (const roleId of user.roleIds) {
        for (const permission of parse<'role'>(byId.get('role', roleId))?.permissions ?? []) {
          permissions.add(permission);
        }
      }
      return permissions;
    },
  };
}

export type ReplicaReads = ReturnType<typeof replicaReads>;
