import type { ChangeEntity } from '@unison/contracts';
import type { SourceRow } from './changes.repository.ts';

/** A database row in the shape the edge's replica takes (REPLICA_ROWS in the contracts). */
export function toReplicaRow(entity: ChangeEntity, row: SourceRow): Record<string, unknown> {
  // biome-ignore lint/suspicious/noExplicitAny: each entity's SQL fixes the columns read here
  const r = row as any;
  switch (entity) {
    case 'machine':
      return { id: r.id, code: r.code, name: r.name, lineId: r.line_id };
    case 'machine_tag':
      return {
        id: r.id,
        machineId: r.machine_id,
        tag: r.tag,
        description: r.description,
        unit: r.unit,
        low: r.low,
        high: r.high,
      };
    case 'material':
      return { id: r.id, code: r.code, name: r.name, unit: r.unit };
    case 'work_order':
      return {
        id: r.id,
        number: r.number,
        materialId: r.material_id,
        machineId: r.machine_id,
        quantity: r.quantity,
        status: r.status,
        dueAt: isoOrNull(r.due_at),
      };
    case 'label_template':
      return { id: r.id, code: r.code, name: r.name, zpl: r.zpl, revision: r.revision };
    case 'role':
      return { id: r.id, key: r.key, name: r.name, permissions: r.permissions };
    case 'user':
      return {
        id: r.id,
        email: r.email,
        passwordHash: r.password_hash,
        active: r.active,
        roleIds: r.role_ids,
        plantIds: r.all_plants ? '*' : r.plant_ids,
      };
    case 'signing_key':
      return { id: r.id, jwk: r.public_jwk, retiredAt: isoOrNull(r.retired_at) };
  }
}

const isoOrNull = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
