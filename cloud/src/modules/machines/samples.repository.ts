import type { SqlSession } from '../../db/client.ts';
import type { MinuteBucketRow, RawSampleRow } from './samples.schema.ts';

export interface SamplesRange {
  machineId: string;
  tag?: string;
  from: Date;
  to: Date;
  limit: number;
}

// The app role has no grant on samples: the definer readers filter by the transaction's tenant.
export function readRawSamples(tx: SqlSession, range: SamplesRange): Promise<RawSampleRow[]> {
  return tx.query<RawSampleRow>(
    `select tag, ts, value_num, value_text, value_bool, quality
     from samples_read($1, $2, $3, $4, $5)`,
    [range.machineId, range.tag ?? null, range.from, range.to, range.limit],
    { prepare: true },
  );
}

export function readMinuteBuckets(tx: SqlSession, range: SamplesRange): Promise<MinuteBucketRow[]> {
  return tx.query<MinuteBucketRow>(
    `select bucket, tag, sample_count, num_min, num_max, num_avg, last_num, last_text, last_bool
     from samples_1m_read($1, $2, $3, $4, $5)`,
    [range.machineId, range.tag ?? null, range.from, range.to, range.limit],
    { prepare: true },
  );
}
