import type { Quality, SampleValue } from '@unison/contracts';
import type { DataValue, StatusCode } from 'node-opcua-client';

const MAX_STRING = 4096;

/** `nsu=<uri>;s=X` → `ns=<index>;s=X` with the server's current NamespaceArray; other forms pass through. */
export function resolveNodeId(nodeId: string, namespaces: readonly string[]): string {
  const match = /^nsu=([^;]+);(.+)$/.exec(nodeId);
  if (!match) return nodeId;
  const index = namespaces.indexOf(match[1]!);
  if (index < 0) throw new Error(`namespace ${match[1]} is not on the server`);
  return `ns=${index};${match[2]}`;
}

function toValue(raw: unknown): SampleValue | undefined {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') return raw.slice(0, MAX_STRING);
  if (raw instanceof Date) return raw.toISOString();
  if (typeof raw === 'object' && 'text' in raw && typeof raw.text === 'string')
    return raw.text.slice(0, MAX_STRING);
  return undefined;
}

/** The severity bits of a status code (Part 4, 7.39): 00 Good, 01 Uncertain, 10/11 Bad. */
export function qualityOf(statusCode: StatusCode): Quality {
  const severity = statusCode.value >>> 30;
  if (severity === 0) return 'good';
  return severity === 1 ? 'uncertain' : 'bad';
}

export function toQuality(dataValue: DataValue): Quality {
  return qualityOf(dataValue.statusCode);
}

/** A DataValue as a sample's value, quality and time; a bad status or a value we cannot carry is null and bad. */
export function fromDataValue(
  dataValue: DataValue,
  nowMs: number,
): { value: SampleValue; quality: Quality; tsMs: number } {
  const sourceMs = dataValue.sourceTimestamp?.getTime();
  const tsMs = sourceMs !== undefined && Number.isFinite(sourceMs) && sourceMs > 0 ? sourceMs : nowMs;
  const quality = toQuality(dataValue);
  const value = toValue(dataValue.value?.value);
  if (quality === 'bad' || value === undefined) return { value: null, quality: 'bad', tsMs };
  return { value, quality, tsMs };
}
