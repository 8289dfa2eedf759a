import { join, resolve } from 'node:path';
import type { PlantConfig } from '@unison/config';
import type { EmitEvent } from '@unison/contracts';
import type { Database as SqliteHandle } from 'better-sqlite3';
import pino, { type Logger } from 'pino';
import { type Broker, startBroker } from './broker/broker.ts';
import { createConnector } from './connectors/index.ts';
import type { Devices, PrinterSummary, StationView } from './devices/devices.start.ts';
import { startDownlink } from './downlink/downlink.ts';
import { replicaReads } from './downlink/replica.reads.ts';
import { createReplicaRepository } from './downlink/replica.repository.ts';
import { createHttpApp } from './http/app.ts';
import { createLanAuth } from './http/auth.service.ts';
import { startHttpServer } from './http/server.ts';
import type { BackoffOptions } from './lib/backoff.ts';
import { startReportByException } from './machine/deadband.filter.ts';
import type { MachineStatus } from './machine/machine.model.ts';
import { createMachines } from './machine/machines.ts';
import type { Recorder } from './recorder/recorder.ts';
import { startRecording } from './recorder/recording.ts';
import { streamsStatus } from './recorder/streams.status.ts';
import type { EdgeStatus } from './status.ts';
import { producerEpoch } from './store/meta.repository.ts';
import { openEdgeDatabase } from './store/sqlite.ts';
import { startUnsPublisher, type UnsPublisher } from './uns/uns.publisher.ts';
import type { EdgeIdentity } from './uplink/identity.ts';
import { startUplink } from './uplink/uplink.ts';

/** What the edge knows of the shop floor beyond its connections. */
export interface FloorStatus {
  machines: MachineStatus[];
  stations: StationView[];
  printers: PrinterSummary[];
  reportByException: { passed: number; suppressed: number; confirmed: number };
}

export interface Edge {
  status(): EdgeStatus & FloorStatus;
  /** http://host:port of the edge's HTTP server. */
  url: string;
  /** Writes straight into the store and its upload streams (no deadband): feeds that are not connectors. */
  recorder: Pick<Recorder, 'record' | 'recordEvent'>;
  stop(): Promise<void>;
}

export interface StartEdgeOptions {
  log?: Logger;
  onProgress?: (line: string) => void;
  /** Retry pacing towards the cloud; tests shorten it. */
  cloudRetry?: BackoffOptions;
  /** The edge's clock: what records are stamped and aged with (tests set it off). */
  now?: () => number;
}

/** Starts the whole gateway: store, broker, connectors, recorder, uplink and HTTP. */
export async function startEdge(
  config: PlantConfig,
  {
    log = pino({ level: 'silent' }),
    onProgress = () => {},
    cloudRetry,
    now = Date.now,
  }: StartEdgeOptions = {},
): Promise<Edge> {
  const teardown: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const step of teardown.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        log.error({ err: error }, 'error while stopping');
      }
    }
  };

  try {
    const databaseFile = join(config.edge.dataDir, 'edge.db');
    const database = openEdgeDatabase(databaseFile);
    teardown.push(() => database.close());
    const epoch = producerEpoch(database.db);
    const recording = startRecording(database.db, { log, buffer: config.edge.buffer, now });
    const { recorder, outbox } = recording;
    // Stopped after the connectors (teardown runs backwards), so their last samples are flushed.
    teardown.push(() => recording.stop());
    onProgress(`edge ${config.edge.name}: recording to ${databaseFile} (epoch ${epoch})`);

    let broker: Broker | undefined;
    if (config.edge.broker) {
      broker = await startBroker({ ...config.edge.broker, log: log.child({ module: 'broker' }) });
      teardown.push(() => broker?.stop());
      onProgress(`edge ${config.edge.name}: MQTT broker on port ${broker.port}`);
    }

    const uplink = startUplink({
      config,
      outbox,
      epoch,
      log: log.child({ module: 'uplink' }),
      retry: cloudRetry,
      now,
      recordEvent: (event) => recorder.recordEvent(event),
    });
    teardown.push(() => uplink.stop());

    // The plant's users, roles and configuration from the cloud, once the edge is enrolled.
    const replica = createReplicaRepository(database.sqlite);
    const downlink = startDownlink({
      replica,
      identity: uplink.enrolled,
      cloudUrl: config.cloud.url,
      log: log.child({ module: 'downlink' }),
      retry: cloudRetry,
      now,
      cloudNow: uplink.cloudNow,
    });
    teardown.push(() => downlink.stop());
    let identity: EdgeIdentity | undefined;
    void uplink.enrolled.then((enrolled) => {
      identity = enrolled;
    });
    const auth = createLanAuth({
      reads: replicaReads(database.sqlite),
      identity: () => identity,
      now: uplink.cloudNow,
    });

    const emitEvent: EmitEvent = (event) => recorder.recordEvent(event);
    // Samples reach the store through the deadband filter, and the machine model sees every one of them.
    const reportByException = startReportByException({
      machines: config.machines,
      record: (samples) => recorder.record(samples),
      now,
    });
    teardown.push(() => reportByException.stop());
    const machines = createMachines({ machines: config.machines, emitEvent, now });
    teardown.push(machines.start());

    let uns: UnsPublisher | undefined;
    if (config.edge.uns) {
      const { url, username, password, root } = config.edge.uns;
      if (!url && !broker) throw new Error('edge.uns without a url needs the embedded broker (edge.broker)');
      uns = await startUnsPublisher({
        ...(url ? { brokerUrl: url, username, password } : { broker }),
        root,
        plant: config.edge.plant,
        machines: config.machines,
        log: log.child({ module: 'uns' }),
      });
      teardown.push(() => uns?.stop());
      onProgress(`edge ${config.edge.name}: Unified Namespace under ${root}/${config.edge.plant}/`);
    }

    let devices: Devices | undefined;

    const connectors = config.connectors.map((connectorConfig) =>
      createConnector(connectorConfig, log, config.edge.dataDir),
    );
    for (const connector of connectors) {
      const stop = await connector.start((samples) => {
        reportByException.record(samples);
        machines.observe(samples);
        uns?.publish(samples);
      });
      teardown.push(stop);
    }
    onProgress(`edge ${config.edge.name}: ${connectors.length} connectors started`);

    /** Malformed messages a connector refused and kept for inspection; undefined for an unknown connector. */
    const rejectedMessages = (connectorId: string) => {
      const connector = connectors.find((c) => c.id === connectorId);
      if (!connector) return undefined;
      return 'rejectedMessages' in connector && typeof connector.rejectedMessages === 'function'
        ? (connector.rejectedMessages() as unknown[])
        : [];
    };

    const status = (): EdgeStatus & FloorStatus => {
      const cloud = uplink.status();
      return {
        edge: { name: config.edge.name, plant: config.edge.plant, edgeId: cloud.edgeId, epoch },
        samples: {
          recorded: recorder.stats().recorded,
          uploaded: cloud.uploaded,
          backlog: outbox.backlog('samples').rows,
        },
        cloud: {
          status: cloud.cloud,
          lastError: cloud.lastError,
          lastUploadAt: cloud.lastUploadAt,
          clockSkewMs: cloud.clock.skewMs,
          clockSkewAlarm: cloud.clock.alarm,
        },
        connectors: connectors.map((connector) => {
          // Adapter-specific detail (Modbus units and disabled tags, ...) goes through as it is.
          const { state, lastError, rejected, ...details } = connector.status();
          return {
            id: connector.id,
            type: connector.type,
            status: state,
            lastError,
            rejected,
            ...(Object.keys(details).length > 0 ? { details } : {}),
          };
        }),
        ...streamsStatus(recording, cloud),
        machines: machines.status(),
        stations: devices?.stations() ?? [],
        printers: devices?.printers() ?? [],
        reportByException: reportByException.stats(),
        downlink: downlink.status(),
      };
    };

    const http = await startHttpServer(
      createHttpApp({ status, rejectedMessages, devices: () => devices, auth }),
      config.edge.http,
    );
    // Closed first of all on stop: no status is served from a half-stopped edge.
    teardown.push(() => http.stop());
    onProgress(`edge ${config.edge.name}: listening on ${http.url}`);
    if (config.devices) {
      // Loaded once the edge answers: the barcode and label stacks take a while to load.
      const { startDevices } = await import('./devices/devices.start.ts');
      devices = startDevices({
        devices: config.devices,
        db: (database.db as typeof database.db & { $client: SqliteHandle }).$client,
        emitEvent,
        resolvePath: (path) => resolve(path),
        log,
      });
      teardown.push(() => devices?.stop());
      onProgress(
        `edge ${config.edge.name}: ${config.devices.stations.length} stations, ${config.devices.printers.length} printers`,
      );
    }

    let stopping: Promise<void> | undefined;
    return {
      url: http.url,
      status,
      recorder: { record: recorder.record, recordEvent: recorder.recordEvent },
      stop: () => {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
