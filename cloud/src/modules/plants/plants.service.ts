import { uuidv7 } from 'uuidv7';
import type { SqlSession } from '../../db/client.ts';
import type { CallerAccess } from '../../http/env.ts';
import { notFound, ProblemError } from '../../http/problem.ts';
import { deletePlant, findPlant, insertPlant, updatePlant } from './plants.repository.ts';

/** Creating a plant is for callers who see every plant: a plant-scoped caller could not see it after. */
export async function createPlant(
  tx: SqlSession,
  access: CallerAccess,
  input: { code: string; name: string },
) {
  if (access.plantIds !== 'all') {
    throw new ProblemError(403, 'Forbidden', 'creating plants requires access to all plants');
  }
  return insertPlant(tx, { id: uuidv7(), organizationId: access.organizationId, ...input });
}

export async function getPlant(tx: SqlSession, id: string) {
  return (await findPlant(tx, id)) ?? raise(notFound('plant'));
}

export async function changePlant(tx: SqlSession, id: string, patch: { code?: string; name?: string }) {
  return (await updatePlant(tx, id, patch)) ?? raise(notFound('plant'));
}

export async function removePlant(tx: SqlSession, id: string): Promise<void> {
  if (!(await deletePlant(tx, id))) throw notFound('plant');
}

export function raise(error: Error): never {
  throw error;
}
