import type { SparkplugSourceConfig } from '@unison/config';
import { type Quality, TagName } from '@unison/contracts';
import type { SparkplugMetric } from './sparkplug.codec.ts';

/** Metrics about the Sparkplug session itself, not the machine. */
const SESSION_METRIC = /^(bdSeq$|Node Control\/|Device Control\/)/;

/** The tag a metric is recorded under, or undefined when it is not recorded. */
export function tagForMetric(source: SparkplugSourceConfig, metricName: string): string | undefined {
  if (source.metrics) return source.metrics[metricName];
  if (SESSION_METRIC.test(metricName)) return undefined;
  const tag = metricName.replace(/[^A-Za-z0-9._/-]/g, '_').replace(/^[^A-Za-z0-9]+/, '');
  return TagName.safeParse(tag).success ? tag : undefined;
}

/** OPC DA ranges, as Sparkplug nodes (e.g. Ignition) send them: 192+ good, 64–191 uncertain, else bad. */
export function metricQuality(metric: SparkplugMetric): Quality {
  if (metric.isNull) return 'uncertain';
  if (metric.value === null) return 'bad';
  const code = metric.qualityCode;
  if (code === undefined) return 'good';
  if (code >= 192 && code <= 255) return 'good';
  if (code >= 64 && code < 192) return 'uncertain';
  return 'bad';
}
