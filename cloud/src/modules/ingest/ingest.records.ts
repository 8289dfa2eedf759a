import { EVENT_STREAM, type SyncStream, UploadEventRecord, UploadRecord } from '@unison/contracts';
import { plainSamples } from './ingest.samples.ts';

export interface ValidRecords {
  samples: UploadRecord[];
  events: UploadEventRecord[];
}

export interface RejectedRecord {
  seq: number;
  reason: string;
  /** The record as sent, as JSON text. */
  raw: string;
}

export interface RecordLimits {
  /** JSON bytes an event's payload may take. */
  maxEventPayloadBytes?: number;
}

// PostgreSQL text and jsonb cannot hold NUL; such a record could never be written.
const hasNul = (json: string) => json.includes('\\u0000');
const validTime = (iso: string) => Number.isFinite(Date.parse(iso));

function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid record';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Checks each record on its own: what can never be stored is set aside with its reason. Samples
 * take a quicker path first (`plainSamples`) that only ever accepts what the full check accepts.
 */
export function classifyRecords(
  stream: SyncStream,
  records: { seq: number }[],
  { maxEventPayloadBytes = 64 * 1024 }: RecordLimits = {},
  { quickSamples = true }: { quickSamples?: boolean } = {},
): { valid: ValidRecords; rejected: RejectedRecord[] } {
  const valid: ValidRecords = { samples: [], events: [] };
  const rejected: RejectedRecord[] = [];
  const plain = quickSamples && stream !== EVENT_STREAM ? plainSamples() : undefined;
  for (const record of records) {
    if (plain?.(record)) {
      valid.samples.push(record);
      continue;
    }
    const raw = JSON.stringify(record);
    const reject = (reason: string) => rejected.push({ seq: record.seq, reason, raw });
    if (hasNul(raw)) {
      reject('contains a NUL character');
      continue;
    }
    if (stream === EVENT_STREAM) {
      const parsed = UploadEventRecord.safeParse(record);
      if (!parsed.success) reject(firstIssue(parsed.error));
      else if (!validTime(parsed.data.ts)) reject('ts: not a representable time');
      else if (Buffer.byteLength(JSON.stringify(parsed.data.payload)) > maxEventPayloadBytes)
        reject(`payload: larger than ${maxEventPayloadBytes} bytes`);
      else if (parsed.data.durationMs !== undefined && !Number.isSafeInteger(parsed.data.durationMs))
        reject('durationMs: too large');
      else valid.events.push(parsed.data);
      continue;
    }
    const parsed = UploadRecord.safeParse(record);
    if (!parsed.success) reject(firstIssue(parsed.error));
    else if (!validTime(parsed.data.ts)) reject('ts: not a representable time');
    else valid.samples.push(parsed.data);
  }
  return { valid, rejected };
}
