import { join } from 'node:path';
import type { PlantConfig } from '@unison/config';
import pino, { type Logger } from 'pino';
import { type Broker, startBroker } from './broker/broker.ts';
import { createConnector } from './connectors/index.ts';
import { createHttpApp } from './http/app.ts';
import { startHttpServer } from './http/server.ts';
import type { BackoffOptions } from './lib/backoff.ts';
import { createRecorder } from './recorder/recorder.ts';
import type { EdgeStatus } from './status.ts';
import { producerEpoch } from './store/meta.repository.ts';
import { createOutboxRepository } from './store/outbox.repository.ts';
import { createSamplesRepository } from './store/samples.repository.ts';
import { openEdgeDatabase } from './store/sqlite.ts';
import { startUplink } from './uplink/uplink.ts';

export interface Edge {
  status(): EdgeStatus;
  /** http://host:port of the edge's HTTP server. */
  url: string;
  stop(): Promise<void>;
}

export interface StartEdgeOptions {
  log?: Logger;
  onProgress?: (line: string) => void;
  /** Retry pacing towards the cloud; tests shorten it. */
  cloudRetry?: BackoffOptions;
}

/** Starts the whole gateway: store, broker, connectors, recorder, uplink and HTTP. */
export async function startEdge(
  config: PlantConfig,
  { log = pino({ level: 'silent' }), onProgress = () => {}, cloudRetry }: StartEdgeOptions = {},
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
    const outbox = createOutboxRepository(database.db);
    const recorder = createRecorder({ samples: createSamplesRepository(database.db), log });
    // Stopped after the connectors (teardown runs backwards), so their last samples are flushed.
    teardown.push(() => recorder.stop());
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
    });
    teardown.push(() => uplink.stop());

    const connectors = config.connectors.map((connectorConfig) => createConnector(connectorConfig, log));
    for (const connector of connectors) {
      const stop = await connector.start((samples) => recorder.record(samples));
      teardown.push(stop);
    }
    onProgress(`edge ${config.edge.name}: ${connectors.length} connectors started`);

    const status = (): EdgeStatus => {
      const cloud = uplink.status();
      return {
        edge: { name: config.edge.name, plant: config.edge.plant, edgeId: cloud.edgeId, epoch },
        samples: { recorded: recorder.stats().recorded, uploaded: cloud.uploaded, backlog: outbox.backlog() },
        cloud: { status: cloud.cloud, lastError: cloud.lastError, lastUploadAt: cloud.lastUploadAt },
        connectors: connectors.map((connector) => {
          const { state, lastError, rejected } = connector.status();
          return { id: connector.id, type: connector.type, status: state, lastError, rejected };
        }),
      };
    };

    const http = await startHttpServer(createHttpApp({ status }), config.edge.http);
    // Closed first of all on stop: no status is served from a half-stopped edge.
    teardown.push(() => http.stop());
    onProgress(`edge ${config.edge.name}: listening on ${http.url}`);

    let stopping: Promise<void> | undefined;
    return {
      url: http.url,
      status,
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
