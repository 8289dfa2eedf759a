import { MachineCode } from '@unison/contracts';
import { z } from 'zod';
import { ModbusConnector } from './modbus.schema.ts';
import { MqttConnector } from './mqtt.schema.ts';
import { OpcuaConnector } from './opcua.schema.ts';
import { durationMs, num, port } from './schema.common.ts';

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
export type MachineConfig = z.infer<typeof Machine>;
