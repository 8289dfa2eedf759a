import type { SqlSession } from '../../db/client.ts';
import { ProblemError } from '../../http/problem.ts';
import { getMachine } from './machines.service.ts';
import { readMinuteBuckets, readRawSamples } from './samples.repository.ts';
import {
  DEFAULT_SAMPLES_WINDOW_MS,
  MAX_SAMPLES_WINDOW_MS,
  type SamplesPage,
  type SamplesQuery,
  toMinuteBucket,
  toRawSample,
} from './samples.schema.ts';

const invalid = (path: string, message: string) =>
  new ProblemError(422, 'Unprocessable Content', message, { errors: [{ path, message }] });

/** The window a query asks for: `to` defaults to now, `from` to an hour before it. */
export function samplesWindow(query: SamplesQuery, nowMs = Date.now()): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : new Date(nowMs);
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_SAMPLES_WINDOW_MS);
  if (from >= to) throw invalid('from', '`from` must be before `to`');
  if (to.getTime() - from.getTime() > MAX_SAMPLES_WINDOW_MS) {
    throw invalid('from', 'the window must not exceed 31 days');
  }
  return { from, to };
}

/**
 * Cuts the one extra row fetched beyond `limit` at a time boundary, so the next page can start at
 * that time (inclusive) without repeating or skipping rows that share it.
 */
export function cutAtTime<Row>(rows: Row[], limit: number, timeOf: (row: Row) => Date) {
  if (rows.length <= limit) return { shown: rows, nextFrom: null };
  const next = timeOf(rows[limit]!).getTime();
  let end = limit;
  while (end > 0 && timeOf(rows[end - 1]!).getTime() === next) end -= 1;
  if (end === 0) {
    throw invalid('limit', 'more rows than `limit` share one time; raise `limit` or filter by `tag`');
  }
  return { shown: rows.slice(0, end), nextFrom: new Date(next).toISOString() };
}

/** A machine's samples (raw or per minute) in the caller's tenant; 404 for a machine it cannot see. */
export async function machineSamples(
  tx: SqlSession,
  machineId: string,
  query: SamplesQuery,
): Promise<SamplesPage> {
  await getMachine(tx, machineId);
  const { from, to } = samplesWindow(query);
  const range = { machineId, tag: query.tag, from, to, limit: query.limit + 1 };
  const page = { machineId, from: from.toISOString(), to: to.toISOString() };
  if (query.bucket === '1m') {
    const { shown, nextFrom } = cutAtTime(
      await readMinuteBuckets(tx, range),
      query.limit,
      (row) => row.bucket,
    );
    return { bucket: '1m', ...page, nextFrom, items: shown.map(toMinuteBucket) };
  }
  const { shown, nextFrom } = cutAtTime(await readRawSamples(tx, range), query.limit, (row) => row.ts);
  return { bucket: 'raw', ...page, nextFrom, items: shown.map(toRawSample) };
}
