import { z } from 'zod';
import { num, ReconnectPolicy, tagRef } from './schema.common.ts';

export const OpcuaTag = z.strictObject({
  ...tagRef,
  /** `ns=2;s=Press1.Speed`, or namespace-URI form `nsu=urn:vendor:plc;s=Press1.Speed` (stable across restarts). */
  nodeId: z.string().min(3),
  samplingIntervalMs: num(z.number().int().min(0).max(3_600_000)).optional(),
});

export const OpcuaConnector = z.strictObject({
  type: z.literal('opcua'),
  id: z.string().min(1),
  endpoint: z.string().regex(/^opc\.tcp:\/\//, 'must start with opc.tcp://'),
  samplingIntervalMs: num(z.number().int().min(0).max(3_600_000)).default(500),
  reconnect: ReconnectPolicy.default({ initialDelayMs: 500, maxDelayMs: 30_000 }),
  tags: z.array(OpcuaTag).min(1),
});

export type OpcuaConnectorConfig = z.infer<typeof OpcuaConnector>;
