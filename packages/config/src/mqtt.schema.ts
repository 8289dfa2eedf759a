import { MachineCode, TagName } from '@unison/contracts';
import { z } from 'zod';
import { num, ReconnectPolicy } from './schema.common.ts';

const PATH_STEP = String.raw`(?:[^.[\]]+(?:\[\d+\])*|(?:\[\d+\])+)`;
const JSON_PATH = new RegExp(`^${PATH_STEP}(?:\\.${PATH_STEP})*$`);

export const MqttField = z.strictObject({
  tag: TagName,
  /** Path into the JSON payload: dots for keys, brackets for array items, e.g. `values[0].v`. */
  path: z.string().regex(JSON_PATH, 'keys separated by dots, array items as [n], e.g. values[0].v'),
});

export const MqttSubscription = z
  .strictObject({
    /** MQTT topic filter, `+` and `#` allowed. */
    topic: z.string().min(1),
    /** Fixed machine for every message on this filter ... */
    machine: MachineCode.optional(),
    /** ... or the machine code taken from this topic level (0-based). */
    machineFromTopicLevel: num(z.number().int().min(0).max(32)).optional(),
    /** Dot path of the source timestamp in the payload (ISO 8601 or epoch ms); receive time if absent. */
    timestampPath: z.string().optional(),
    fields: z.array(MqttField).min(1),
  })
  .refine((s) => (s.machine === undefined) !== (s.machineFromTopicLevel === undefined), {
    message: 'set exactly one of machine or machineFromTopicLevel',
    path: ['machine'],
  });

export const MqttConnector = z.strictObject({
  type: z.literal('mqtt'),
  id: z.string().min(1),
  url: z.string().regex(/^mqtts?:\/\//, 'must start with mqtt:// or mqtts://'),
  username: z.string().optional(),
  password: z.string().optional(),
  clientId: z.string().optional(),
  reconnect: ReconnectPolicy.default({ initialDelayMs: 500, maxDelayMs: 30_000 }),
  maxPayloadBytes: num(
    z
      .number()
      .int()
      .min(64)
      .max(16 * 1024 * 1024),
  ).default(256 * 1024),
  /** How many of the last rejected messages are kept (topic, reason, truncated payload); default 50. */
  rejectedKeep: num(z.number().int().min(0).max(1000)).optional(),
  subscriptions: z.array(MqttSubscription).min(1),
});

export type MqttConnectorConfig = z.infer<typeof MqttConnector>;
