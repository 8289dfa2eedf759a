import { z } from 'zod';
import { durationMs, num, ReconnectPolicy, tagRef } from './schema.common.ts';

/** Report a change only when the value moves by more than `value` (units, or % of the node's EURange). */
export const OpcuaDeadband = z
  .strictObject({
    type: z.enum(['absolute', 'percent']),
    value: num(z.number().min(0)),
  })
  .refine((deadband) => deadband.type !== 'percent' || deadband.value <= 100, {
    message: 'a percent deadband is at most 100',
    path: ['value'],
  });

export const OpcuaTag = z.strictObject({
  ...tagRef,
  /** `ns=2;s=Press1.Speed`, or namespace-URI form `nsu=urn:vendor:plc;s=Press1.Speed` (stable across restarts). */
  nodeId: z.string().min(3),
  samplingIntervalMs: num(z.number().int().min(0).max(3_600_000)).optional(),
  /** Changes the server keeps between two publishes; the connector's `queueSize` when omitted. */
  queueSize: num(z.number().int().min(1).max(10_000)).optional(),
  /** Percent needs the node to have an EURange (AnalogItemType). */
  deadband: OpcuaDeadband.optional(),
});

export const OpcuaSecurity = z.strictObject({
  mode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('None'),
  /** Used with Sign and SignAndEncrypt. */
  policy: z
    .enum(['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'])
    .default('Basic256Sha256'),
});

export const OpcuaConnector = z.strictObject({
  type: z.literal('opcua'),
  id: z.string().min(1),
  endpoint: z.string().regex(/^opc\.tcp:\/\//, 'must start with opc.tcp://'),
  samplingIntervalMs: num(z.number().int().min(0).max(3_600_000)).default(500),
  /** How often the server sends what changed; the sampling interval when omitted. */
  publishingIntervalMs: num(z.number().int().min(10).max(3_600_000)).optional(),
  queueSize: num(z.number().int().min(1).max(10_000)).default(10),
  /** Tags are spread over subscriptions of at most this many items, as servers cap what one publish carries. */
  maxItemsPerSubscription: num(z.number().int().min(1).max(100_000)).default(1000),
  security: OpcuaSecurity.default({ mode: 'None', policy: 'Basic256Sha256' }),
  /** Nothing heard from the server (data or keep-alive) for this long: the connection is dropped and rebuilt. */
  keepAliveTimeoutMs: durationMs.default(10_000),
  /** Retry pace while the server's certificate waits to be trusted (`pnpm edge opcua trust`). */
  trustRetryMs: durationMs.default(30_000),
  reconnect: ReconnectPolicy.default({ initialDelayMs: 500, maxDelayMs: 30_000 }),
  tags: z.array(OpcuaTag).min(1),
});

export type OpcuaConnectorConfig = z.infer<typeof OpcuaConnector>;
export type OpcuaTagConfig = z.infer<typeof OpcuaTag>;
