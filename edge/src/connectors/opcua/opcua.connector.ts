import type { OpcuaConnectorConfig } from '@unison/config';
import type { Quality, Sample } from '@unison/contracts';
import {
  AttributeIds,
  ClientMonitoredItemGroup,
  type ClientSession,
  type ClientSubscription,
  type OPCUAClient,
  TimestampsToReturn,
} from 'node-opcua';
import type { Logger } from 'pino';
import { exponentialBackoff } from '../../lib/backoff.ts';
import { errorMessage, sleep } from '../../lib/sleep.ts';
import { type Connector, connectionStatus, type EmitSamples } from '../connector.ts';
import { createOpcuaClient } from './opcua.client.ts';
import { fromDataValue, resolveNodeId } from './opcua.values.ts';

type OpcuaTag = OpcuaConnectorConfig['tags'][number];

export interface OpcuaConnectorOptions {
  log: Logger;
  now?: () => number;
  createClient?: () => OPCUAClient;
}

const NAMESPACE_ARRAY = 'ns=0;i=2255';
const DISCONNECT_TIMEOUT_MS = 2000;

/** Monitors OPC UA variables through one subscription; reconnects and re-subscribes after any loss. */
export function opcuaConnector(
  config: OpcuaConnectorConfig,
  { log, now = Date.now, createClient = createOpcuaClient }: OpcuaConnectorOptions,
): Connector {
  const status = connectionStatus();
  const lastQuality = new Map<OpcuaTag, Quality>();

  function emitBad(emit: EmitSamples, tags: OpcuaTag[]) {
    const tsMs = now();
    const fresh = tags.filter((tag) => lastQuality.get(tag) !== 'bad');
    for (const tag of fresh) lastQuality.set(tag, 'bad');
    if (fresh.length > 0)
      emit(fresh.map((t) => ({ machine: t.machine, tag: t.tag, tsMs, value: null, quality: 'bad' })));
  }

  async function subscribe(session: ClientSession, emit: EmitSamples): Promise<ClientSubscription> {
    const namespaces = (await session.read({ nodeId: NAMESPACE_ARRAY, attributeId: AttributeIds.Value }))
      .value.value as string[];
    const resolved: { tag: OpcuaTag; nodeId: string }[] = [];
    for (const tag of config.tags) {
      try {
        resolved.push({ tag, nodeId: resolveNodeId(tag.nodeId, namespaces) });
      } catch (error) {
        log.warn(
          { connector: config.id, nodeId: tag.nodeId, err: errorMessage(error) },
          'opcua tag not resolvable',
        );
        emitBad(emit, [tag]);
      }
    }
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: config.samplingIntervalMs,
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 60,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 1,
    });
    const byInterval = Map.groupBy(
      resolved,
      ({ tag }) => tag.samplingIntervalMs ?? config.samplingIntervalMs,
    );
    for (const [samplingInterval, items] of byInterval) {
      const group = ClientMonitoredItemGroup.create(
        subscription,
        items.map(({ nodeId }) => ({ nodeId, attributeId: AttributeIds.Value })),
        { samplingInterval, queueSize: 10, discardOldest: true },
        TimestampsToReturn.Both,
      );
      group.on('changed', (_item, dataValue, index) => {
        const tag = items[index]?.tag;
        if (!tag) return;
        const sample: Sample = { machine: tag.machine, tag: tag.tag, ...fromDataValue(dataValue, now()) };
        lastQuality.set(tag, sample.quality);
        emit([sample]);
      });
      await new Promise<void>((resolve) => group.once('initialized', () => resolve()));
      group.monitoredItems.forEach((item, index) => {
        if (item.statusCode.isGood()) return;
        const tag = items[index]!.tag;
        log.warn(
          { connector: config.id, nodeId: tag.nodeId, status: item.statusCode.name },
          'opcua tag not monitored',
        );
        emitBad(emit, [tag]);
      });
    }
    return subscription;
  }

  async function disconnect(client: OPCUAClient) {
    await Promise.race([client.disconnect().catch(() => {}), sleep(DISCONNECT_TIMEOUT_MS)]);
  }

  async function run(emit: EmitSamples, signal: AbortSignal) {
    const backoff = exponentialBackoff(config.reconnect);
    const stopped = new Promise<undefined>((resolve) =>
      signal.addEventListener('abort', () => resolve(undefined), { once: true }),
    );
    while (!signal.aborted) {
      status.set('connecting');
      const client = createClient();
      const lost = new Promise<string>((resolve) => {
        client.once('connection_lost', () => resolve('connection lost'));
        client.once('close', () => resolve('connection closed'));
      });
      try {
        await client.connect(config.endpoint);
        const session = await client.createSession();
        status.set('connected');
        log.info({ connector: config.id, endpoint: config.endpoint }, 'opcua connected');
        await subscribe(session, emit);
        backoff.reset();
        const reason = await Promise.race([lost, stopped]);
        if (reason) throw new Error(reason);
      } catch (error) {
        if (!signal.aborted) {
          status.set('disconnected', errorMessage(error));
          log.warn({ connector: config.id, err: errorMessage(error) }, 'opcua connection failed');
          emitBad(emit, config.tags);
        }
      } finally {
        await disconnect(client);
      }
      await sleep(backoff.next(), signal);
    }
  }

  return {
    id: config.id,
    type: 'opcua',
    status: status.get,
    async start(emit) {
      const controller = new AbortController();
      const running = run(emit, controller.signal);
      return async () => {
        controller.abort();
        await running;
        status.set('stopped');
      };
    },
  };
}
