import { MachineCode, TagName } from '@unison/contracts';
import { z } from 'zod';

/** Numbers may come from `${ENV}` interpolation as strings; accept "502" where 502 is meant. */
const num = <T extends z.ZodNumber>(schema: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
    schema,
  );

const port = num(z.number().int().min(0).max(65535));
const durationMs = num(z.number().int().min(10).max(86_400_000));

const tagRef = { machine: MachineCode, tag: TagName };

export const ReconnectPolicy = z.strictObject({
  initialDelayMs: durationMs.default(500),
  maxDelayMs: durationMs.default(30_000),
});

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

export const ModbusDataType = z.enum(['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32']);
export const ModbusTable = z.enum(['coil', 'discrete', 'holding', 'input']);

export const ModbusTag = z
  .strictObject({
    ...tagRef,
    table: ModbusTable,
    address: num(z.number().int().min(0).max(65535)),
    dataType: ModbusDataType,
    /** ABCD: high word first (Modicon convention); CDAB: low word first. */
    wordOrder: z.enum(['ABCD', 'CDAB']).default('ABCD'),
    scale: num(z.number().finite()).default(1),
    offset: num(z.number().finite()).default(0),
  })
  .superRefine((tag, ctx) => {
    const bitTable = tag.table === 'coil' || tag.table === 'discrete';
    if (bitTable !== (tag.dataType === 'bool')) {
      ctx.addIssue({
        code: 'custom',
        path: ['dataType'],
        message: bitTable ? `${tag.table} tables hold bool only` : `bool needs a coil or discrete table`,
      });
    }
  });

export const ModbusConnector = z.strictObject({
  type: z.literal('modbus'),
  id: z.string().min(1),
  host: z.string().min(1),
  port: port.default(502),
  unitId: num(z.number().int().min(0).max(255)).default(1),
  pollIntervalMs: durationMs.default(1000),
  timeoutMs: durationMs.default(2000),
  reconnect: ReconnectPolicy.default({ initialDelayMs: 500, maxDelayMs: 30_000 }),
  tags: z.array(ModbusTag).min(1),
});

export const MqttField = z.strictObject({
  tag: TagName,
  /** Dot path into the JSON payload, e.g. `counters.good`. */
  path: z.string().min(1),
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
  subscriptions: z.array(MqttSubscription).min(1),
});

export const Connector = z.discriminatedUnion('type', [OpcuaConnector, ModbusConnector, MqttConnector]);

export const Machine = z.strictObject({
  id: MachineCode,
  name: z.string().min(1).max(128),
  area: z.string().max(64).optional(),
  line: z.string().max(64).optional(),
  idealCycleTimeS: num(z.number().positive()).optional(),
});

export const PlantConfig = z
  .strictObject({
    edge: z.strictObject({
      /** Name the edge registers under in the cloud. */
      name: z.string().min(1).max(128),
      plant: z.string().min(1).max(64),
      dataDir: z.string().min(1).default('.data/edge'),
      http: z
        .strictObject({ host: z.string().default('0.0.0.0'), port: port.default(8081) })
        .default({ host: '0.0.0.0', port: 8081 }),
      /** Embedded MQTT broker for machines that publish straight to the edge. */
      broker: z.strictObject({ host: z.string().default('0.0.0.0'), port: port.default(1883) }).optional(),
    }),
    cloud: z.strictObject({
      url: z.string().regex(/^https?:\/\//, 'must start with http:// or https://'),
      /** One-time code from the cloud admin; only read until the edge has enrolled. */
      enrollmentCode: z.string().optional(),
      batchSize: num(z.number().int().min(1).max(5000)).default(500),
      uploadIntervalMs: durationMs.default(1000),
    }),
    machines: z.array(Machine).min(1),
    connectors: z.array(Connector).default([]),
  })
  .superRefine((config, ctx) => {
    const machineIds = new Set<string>();
    config.machines.forEach((machine, i) => {
      if (machineIds.has(machine.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['machines', i, 'id'],
          message: `duplicate machine "${machine.id}"`,
        });
      }
      machineIds.add(machine.id);
    });
    const connectorIds = new Set<string>();
    config.connectors.forEach((connector, c) => {
      if (connectorIds.has(connector.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['connectors', c, 'id'],
          message: `duplicate connector "${connector.id}"`,
        });
      }
      connectorIds.add(connector.id);
      const tagged = connector.type === 'mqtt' ? connector.subscriptions : connector.tags;
      tagged.forEach((entry, t) => {
        const machine = 'machine' in entry ? entry.machine : undefined;
        if (machine !== undefined && !machineIds.has(machine)) {
          const list = connector.type === 'mqtt' ? 'subscriptions' : 'tags';
          ctx.addIssue({
            code: 'custom',
            path: ['connectors', c, list, t, 'machine'],
            message: `unknown machine "${machine}" (not under machines:)`,
          });
        }
      });
    });
  });

export type PlantConfig = z.infer<typeof PlantConfig>;
export type ConnectorConfig = z.infer<typeof Connector>;
export type OpcuaConnectorConfig = z.infer<typeof OpcuaConnector>;
export type ModbusConnectorConfig = z.infer<typeof ModbusConnector>;
export type ModbusTagConfig = z.infer<typeof ModbusTag>;
export type MqttConnectorConfig = z.infer<typeof MqttConnector>;
export type MachineConfig = z.infer<typeof Machine>;
