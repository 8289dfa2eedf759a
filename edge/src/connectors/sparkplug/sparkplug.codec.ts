import type { SampleValue } from '@unison/contracts';
import sparkplugPayload from 'sparkplug-payload';

const codec = sparkplugPayload.get('spBv1.0');
if (!codec) throw new Error('sparkplug-payload has no spBv1.0 codec');
const { decodePayload, encodePayload } = codec;

export type SparkplugEncodable = Parameters<typeof encodePayload>[0];

export interface SparkplugMetric {
  name?: string;
  alias?: number;
  tsMs?: number;
  type: string;
  /** undefined: a type the edge does not turn into samples (DataSet, Template, Bytes, File). */
  value: SampleValue | undefined;
  isHistorical: boolean;
  isNull: boolean;
  /** OPC DA style quality code from a metric property named `Quality`, when the node sends one. */
  qualityCode?: number;
}

export interface SparkplugMessage {
  tsMs?: number;
  seq?: number;
  metrics: SparkplugMetric[];
}

/** protobufjs hands 64-bit integers over as Long objects. */
function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (raw && typeof raw === 'object' && 'toNumber' in raw && typeof raw.toNumber === 'function') {
    return raw.toNumber() as number;
  }
  return undefined;
}

function toSampleValue(raw: unknown): SampleValue | undefined {
  if (raw === null || typeof raw === 'boolean' || typeof raw === 'string') return raw;
  const number = toNumber(raw);
  if (number === undefined) return undefined;
  return Number.isFinite(number) ? number : null;
}

function qualityCode(properties: Record<string, { value?: unknown }> | null | undefined): number | undefined {
  return toNumber(properties?.Quality?.value);
}

/** Decodes a Sparkplug B payload; throws when it is not one. */
export function decodeSparkplug(payload: Uint8Array): SparkplugMessage {
  const decoded = decodePayload(payload);
  return {
    tsMs: toNumber(decoded.timestamp),
    seq: toNumber(decoded.seq),
    metrics: (decoded.metrics ?? []).map((metric) => ({
      name: metric.name ?? undefined,
      alias: toNumber(metric.alias),
      tsMs: toNumber(metric.timestamp),
      type: metric.type,
      value: toSampleValue(metric.value),
      isHistorical: metric.isHistorical === true,
      isNull: metric.isNull === true,
      qualityCode: qualityCode(metric.properties),
    })),
  };
}

export function encodeSparkplug(message: SparkplugEncodable): Buffer {
  return Buffer.from(encodePayload(message));
}

/** The NCMD a host sends to make an edge node publish its births again. */
export const rebirthRequest = (nowMs: number): Buffer =>
  encodeSparkplug({
    timestamp: nowMs,
    metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true, timestamp: nowMs }],
  });
