import { MachineCode, TagName } from '@unison/contracts';
import { z } from 'zod';
import { durationMs, ReconnectPolicy } from './schema.common.ts';

/** Sparkplug ids are one topic level: no separators, wildcards or spaces. */
const SparkplugId = z.string().regex(/^[^/+#\s]+$/, 'one topic level without /, +, # or spaces');

export const SparkplugSource = z.strictObject({
  group: SparkplugId,
  node: SparkplugId,
  /** A device under the edge node; omitted: the node's own metrics. */
  device: SparkplugId.optional(),
  machine: MachineCode,
  /** Metric name → tag; omitted: every metric, its name made a valid tag name. */
  metrics: z.record(z.string().min(1), TagName).optional(),
});

export const SparkplugConnector = z.strictObject({
  type: z.literal('sparkplug'),
  id: z.string().min(1),
  url: z.string().regex(/^mqtts?:\/\//, 'must start with mqtt:// or mqtts://'),
  username: z.string().optional(),
  password: z.string().optional(),
  /** The host application id: STATE is published on `spBv1.0/STATE/<hostId>`. */
  hostId: SparkplugId.default('unison'),
  reconnect: ReconnectPolicy.default({ initialDelayMs: 500, maxDelayMs: 30_000 }),
  /** A rebirth request not answered by an NBIRTH within this time is sent again. */
  rebirthTimeoutMs: durationMs.default(5000),
  sources: z.array(SparkplugSource).min(1),
});

export type SparkplugConnectorConfig = z.infer<typeof SparkplugConnector>;
export type SparkplugSourceConfig = z.infer<typeof SparkplugSource>;
