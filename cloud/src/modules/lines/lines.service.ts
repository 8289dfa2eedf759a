import { uuidv7 } from 'uuidv7';
import type { SqlSession } from '../../db/client.ts';
import { notFound } from '../../http/problem.ts';
import { findArea } from '../areas/areas.repository.ts';
import { missingParent } from '../areas/areas.service.ts';
import { raise } from '../plants/plants.service.ts';
import { deleteLine, findLine, insertLine, updateLine } from './lines.repository.ts';

export async function createLine(
  tx: SqlSession,
  organizationId: string,
  input: { areaId: string; code: string; name: string },
) {
  const area = await findArea(tx, input.areaId);
  if (!area) throw missingParent('areaId', 'area');
  return insertLine(tx, { id: uuidv7(), organizationId, plantId: area.plant_id, ...input });
}

export async function getLine(tx: SqlSession, id: string) {
  return (await findLine(tx, id)) ?? raise(notFound('line'));
}

export async function changeLine(tx: SqlSession, id: string, patch: { code?: string; name?: string }) {
  return (await updateLine(tx, id, patch)) ?? raise(notFound('line'));
}

export async function removeLine(tx: SqlSession, id: string): Promise<void> {
  if (!(await deleteLine(tx, id))) throw notFound('line');
}
