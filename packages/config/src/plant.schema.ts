import { z } from 'zod';
import { EmbeddedBroker, UnsConfig } from './broker.schema.ts';
import { PrinterConfig, StationConfig } from './devices.schema.ts';
import { Machine } from './machine.schema.ts';
import { ModbusConnector } from './modbus.schema.ts';
import { MqttConnector } from './mqtt.schema.ts';
import { OpcuaConnector } from './opcua.schema.ts';
import { durationMs, num, port } from './schema.common.ts';
import { SparkplugConnector } from './sparkplug.schema.ts';

export const Connector = z.discriminatedUnion('type', [
  OpcuaConnector,
  ModbusConnector,
  MqttConnector,
  SparkplugConnector,
]);

/** `tcp://host:port` or `serial:/dev/path` for a printer's transport, so one `${VAR}` can pick either. */
function transportFromUrl(transport: unknown): unknown {
  if (typeof transport !== 'string') return transport;
  const tcp = /^tcp:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(transport);
  if (tcp) return { type: 'tcp', host: tcp[1], ...(tcp[2] ? { port: Number(tcp[2]) } : {}) };
  if (transport.startsWith('serial:')) return { type: 'serial', path: transport.slice('serial:'.length) };
  return transport;
}

// Lazy: devices.schema.ts imports the loader, which imports this file.
export const PlantDevices = z.strictObject({
  /** Directory of scanner profiles (`<profile id>.yaml` or any file with that id), relative to the working directory. */
  scannerProfiles: z.string().min(1).default('firmware-config/scanners'),
  /** Directory of label templates, found by id. */
  labelTemplates: z.string().min(1).default('firmware-config/labels'),
  printers: z
    .array(
      z.preprocess(
        (p) =>
          p !== null && typeof p === 'object'
            ? { ...p, transport: transportFromUrl((p as { transport?: unknown }).transport) }
            : p,
        z.lazy(() => PrinterConfig),
      ),
    )
    .default([]),
  stations: z.array(z.lazy(() => StationConfig)).default([]),
});

function checkDevices(devices: z.infer<typeof PlantDevices>, machineIds: Set<string>, ctx: z.RefinementCtx) {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path: ['devices', ...path], message });
  const printerIds = new Set<string>();
  devices.printers.forEach((printer, p) => {
    if (printerIds.has(printer.id)) issue(['printers', p, 'id'], `duplicate printer "${printer.id}"`);
    printerIds.add(printer.id);
  });
  const stationIds = new Set<string>();
  devices.stations.forEach((station, s) => {
    if (stationIds.has(station.id)) issue(['stations', s, 'id'], `duplicate station "${station.id}"`);
    stationIds.add(station.id);
    if (station.printer !== undefined && !printerIds.has(station.printer))
      issue(['stations', s, 'printer'], `unknown printer "${station.printer}" (not under devices.printers:)`);
    if (station.machine !== undefined && !machineIds.has(station.machine))
      issue(['stations', s, 'machine'], `unknown machine "${station.machine}" (not under machines:)`);
    station.routes.forEach((route, r) => {
      if (route.printLabel !== undefined && station.printer === undefined)
        issue(['stations', s, 'routes', r, 'printLabel'], 'a label needs a printer at the station');
    });
  });
}

export const EdgeBuffer = z.strictObject({
  /** Byte budget for records waiting for the cloud plus the local sample copies (default 1 GiB). */
  maxBytes: num(
    z
      .number()
      .int()
      .min(16 * 1024),
  ).default(1024 ** 3),
  /** Local sample copies older than this are deleted even under budget (default 7 days). */
  localRetentionMs: durationMs.default(7 * 86_400_000),
});

export type EdgeBufferConfig = z.infer<typeof EdgeBuffer>;

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
      broker: EmbeddedBroker.optional(),
      /** Republish normalized samples as a Unified Namespace tree for local consumers. */
      uns: UnsConfig.optional(),
      /** What the edge keeps while the cloud is away: over budget, the oldest raw samples go first. */
      buffer: EdgeBuffer.optional(),
    }),
    cloud: z.strictObject({
      url: z.string().regex(/^https?:\/\//, 'must start with http:// or https://'),
      /** One-time code from the cloud admin; only read until the edge has enrolled. */
      enrollmentCode: z.string().optional(),
      batchSize: num(z.number().int().min(1).max(5000)).default(500),
      uploadIntervalMs: durationMs.default(1000),
      /** Uncompressed JSON bytes per batch; bodies are sent gzip-compressed. */
      batchMaxBytes: num(
        z
          .number()
          .int()
          .min(1024)
          .max(8 * 1024 ** 2),
      ).optional(),
    }),
    machines: z.array(Machine).min(1),
    connectors: z.array(Connector).default([]),
    /** Scanner stations and label printers on this edge. */
    devices: PlantDevices.optional(),
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
      const list =
        connector.type === 'mqtt' ? 'subscriptions' : connector.type === 'sparkplug' ? 'sources' : 'tags';
      const tagged: { machine?: string }[] =
        connector.type === 'mqtt'
          ? connector.subscriptions
          : connector.type === 'sparkplug'
            ? connector.sources
            : connector.tags;
      tagged.forEach((entry, t) => {
        const machine = 'machine' in entry ? entry.machine : undefined;
        if (machine !== undefined && !machineIds.has(machine)) {
          ctx.addIssue({
            code: 'custom',
            path: ['connectors', c, list, t, 'machine'],
            message: `unknown machine "${machine}" (not under machines:)`,
          });
        }
      });
    });
    if (config.devices) checkDevices(config.devices, machineIds, ctx);
  });

export type PlantConfig = z.infer<typeof PlantConfig>;
export type ConnectorConfig = z.infer<typeof Connector>;
export type MachineConfig = z.infer<typeof Machine>;
export type PlantDevicesConfig = z.infer<typeof PlantDevices>;
