import { uuidv7 } from 'uuidv7';
import type { SqlSession } from '../../db/client.ts';
import { notFound, ProblemError } from '../../http/problem.ts';
import { findPlant } from '../plants/plants.repository.ts';
import { raise } from '../plants/plants.service.ts';
import { deleteArea, findArea, insertArea, updateArea } from './areas.repository.ts';

/** A parent the caller cannot see is a failing field, not a hint that it exists elsewhere. */
export const missingParent = (field: string, what: string) =>
  new ProblemError(422, 'Unprocessable Content', `${what} not found`, {
    errors: [{ path: field, message: `no ${what} with this id` }],
  });

export async function createArea(
  tx: SqlSession,
  organizationId: string,
  input: { plantId: string; code: string; name: string },
) {
  if (!(await findPlant(tx, input.plantId))) throw missingParent('plantId', 'plant');
  return insertArea(tx, { id: uuidv7(), organizationId, ...input });
}

export async function getArea(tx: SqlSession, id: string) {
  return (await findArea(tx, id)) ?? raise(notFound('area'));
}

export async function changeArea(tx: SqlSession, id: string, patch: { code?: string; name?: string }) {
  return (await updateArea(tx, id, patch)) ?? raise(notFound('area'));
}

export async function removeArea(tx: SqlSession, id: string): Promise<void> {
  if (!(await deleteArea(tx, id))) throw notFound('area');
}
