import type { MachineList, SampleValue } from '@unison/contracts';
import type { Database } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { listMachinesWithLatest, type MachineRows } from './machines.repository.ts';

export async function listMachines(db: Database, organizationId: string): Promise<MachineList> {
  return toMachineList(await withTenant(db, { organizationId }, listMachinesWithLatest));
}

type LatestRow = MachineRows['latestRows'][number];

export function storedValue(row: Pick<LatestRow, 'valueNum' | 'valueText' | 'valueBool'>): SampleValue {
  if (row.valueNum !== null) return row.valueNum;
  if (row.valueText !== null) return row.valueText;
  return row.valueBool;
}

export function toMachineList({ machineRows, latestRows }: MachineRows): MachineList {
  const latestByMachine = Map.groupBy(latestRows, (row) => row.machineId);
  return {
    items: machineRows.map((machine) => ({
      ...machine,
      latest: (latestByMachine.get(machine.id) ?? []).map((row) => ({
        tag: row.tag,
        value: storedValue(row),
        quality: row.quality,
        ts: row.ts.toISOString(),
      })),
    })),
  };
}
