import { asc } from 'drizzle-orm';
import type { SqlSession } from '../../db/client.ts';
import { machineLatest, machines } from '../../db/schema.ts';

/** Machines and latest values visible in the transaction's tenant context (RLS does the filtering). */
export async function listMachinesWithLatest(tx: SqlSession) {
  const orm = tx.orm();
  const machineRows = await orm
    .select({ id: machines.id, plantId: machines.plantId, code: machines.code, name: machines.name })
    .from(machines)
    .orderBy(asc(machines.code), asc(machines.plantId));
  const latestRows = await orm.select().from(machineLatest).orderBy(asc(machineLatest.tag));
  return { machineRows, latestRows };
}

export type MachineRows = Awaited<ReturnType<typeof listMachinesWithLatest>>;
