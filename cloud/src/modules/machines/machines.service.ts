import { uuidv7 } from 'uuidv7';
import type { SqlSession } from '../../db/client.ts';
import { notFound, ProblemError } from '../../http/problem.ts';
import { missingParent } from '../areas/areas.service.ts';
import { findLine } from '../lines/lines.repository.ts';
import { findPlant } from '../plants/plants.repository.ts';
import { raise } from '../plants/plants.service.ts';
import { deleteMachine, findMachine, insertMachine, updateMachine } from './machines.repository.ts';

async function checkLine(tx: SqlSession, plantId: string, lineId: string | null | undefined) {
  if (!lineId) return;
  const line = await findLine(tx, lineId);
  if (!line) throw missingParent('lineId', 'line');
  if (line.plant_id !== plantId) {
    throw new ProblemError(422, 'Unprocessable Content', 'the line belongs to another plant', {
      errors: [{ path: 'lineId', message: "the line is not in the machine's plant" }],
    });
  }
}

export async function createMachine(
  tx: SqlSession,
  organizationId: string,
  input: { plantId: string; lineId?: string | null; code: string; name: string },
) {
  if (!(await findPlant(tx, input.plantId))) throw missingParent('plantId', 'plant');
  await checkLine(tx, input.plantId, input.lineId);
  const id = uuidv7();
  await insertMachine(tx, { id, organizationId, ...input, lineId: input.lineId ?? null });
  return getMachine(tx, id);
}

export async function getMachine(tx: SqlSession, id: string) {
  return (await findMachine(tx, id)) ?? raise(notFound('machine'));
}

export async function changeMachine(
  tx: SqlSession,
  id: string,
  patch: { lineId?: string | null; code?: string; name?: string },
) {
  const machine = await getMachine(tx, id);
  await checkLine(tx, machine.plant_id, patch.lineId);
  await updateMachine(tx, id, patch);
  return getMachine(tx, id);
}

export async function removeMachine(tx: SqlSession, id: string): Promise<void> {
  if (!(await deleteMachine(tx, id))) throw notFound('machine');
}
