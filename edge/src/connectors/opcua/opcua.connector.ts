import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpcuaConnectorConfig, OpcuaTagConfig } from '@unison/config';
import type { Quality, Sample } from '@unison/contracts';
import type { ClientSession, DataValue, OPCUAClient } from 'node-opcua-client';
import type { Logger } from 'pino';
import { exponentialBackoff } from '../../lib/backoff.ts';
import { errorMessage, sleep } from '../../lib/sleep.ts';
import { type Connector, connectionStatus, type EmitSamples } from '../connector.ts';
import type { CreateOpcuaClient } from './opcua.client.ts';
import type { ResolvedTag } from './opcua.monitor.ts';
import type { ClientPki } from './opcua.pki.ts';
import { fromDataValue, resolveNodeId } from './opcua.values.ts';
import { keepAliveWatchdog } from './opcua.watchdog.ts';

export interface OpcuaConnectorOptions {
  log: Logger;
  /** The edge's PKI: `<dataDir>/pki` (own certificate, trusted/ and rejected/ server certificates). */
  pkiDir?: string;
  now?: () => number;
  createClient?: CreateOpcuaClient;
}

// The SDK (tens of MB once loaded) comes in on the first connect, so an edge without OPC UA never loads it.
const loadSdk = () => import('./opcua.sdk.ts');
type Sdk = Awaited<ReturnType<typeof loadSdk>>;

const NAMESPACE_ARRAY = 'ns=0;i=2255';
const MAX_MONITORED_ITEMS_PER_CALL = 'ns=0;i=11714';
const MONITORED_ITEMS_PER_CALL = 1000;
const DISCONNECT_TIMEOUT_MS = 1000;

/** Why a connection attempt ended; a refused server certificate waits for a person, not for a backoff. */
type Outcome = { kind: 'ended'; connected: boolean } | { kind: 'trust pending'; thumbprint: string };

/**
 * Monitors OPC UA variables through monitored-item groups in one subscription. Every connection
 * re-resolves `nsu=` node ids and recreates the subscription from the tag definitions, so it
 * recovers from any loss, a server restart with a new namespace order included.
 */
export function opcuaConnector(
  config: OpcuaConnectorConfig,
  { log, pkiDir = join(tmpdir(), 'unison-edge-pki'), now = Date.now, createClient }: OpcuaConnectorOptions,
): Connector {
  const status = connectionStatus();
  const lastQuality = new Map<OpcuaTagConfig, Quality>();
  const context = { connector: config.id, endpoint: config.endpoint };
  const publishingIntervalMs = config.publishingIntervalMs ?? Math.max(10, config.samplingIntervalMs);
  // A keep-alive at least three times per watchdog period, so one late message is no false alarm.
  const maxKeepAliveCount = Math.max(1, Math.floor(config.keepAliveTimeoutMs / 3 / publishingIntervalMs));

  /** Samples of one publish response go out as one batch. */
  function batcher(emit: EmitSamples) {
    let pending: Sample[] = [];
    return (sample: Sample) => {
      if (pending.length === 0)
        queueMicrotask(() => {
          const batch = pending;
          pending = [];
          emit(batch);
        });
      pending.push(sample);
    };
  }

  function emitBad(emit: EmitSamples, tags: readonly OpcuaTagConfig[]) {
    const tsMs = now();
    const fresh = tags.filter((tag) => lastQuality.get(tag) !== 'bad');
    for (const tag of fresh) lastQuality.set(tag, 'bad');
    if (fresh.length > 0)
      emit(fresh.map((t) => ({ machine: t.machine, tag: t.tag, tsMs, value: null, quality: 'bad' })));
  }

  async function readValue<T>(sdk: Sdk, session: ClientSession, nodeId: string): Promise<T | undefined> {
    const dataValue = await session.read({ nodeId, attributeId: sdk.AttributeIds.Value });
    return dataValue.statusCode.isGood() ? (dataValue.value.value as T) : undefined;
  }

  /** Node ids with the namespace indexes of the server as it is now. */
  async function resolveTags(sdk: Sdk, session: ClientSession, emit: EmitSamples): Promise<ResolvedTag[]> {
    const namespaces = (await readValue<string[]>(sdk, session, NAMESPACE_ARRAY)) ?? [];
    const resolved: ResolvedTag[] = [];
    for (const tag of config.tags) {
      try {
        resolved.push({ tag, nodeId: resolveNodeId(tag.nodeId, namespaces) });
      } catch (error) {
        log.warn({ ...context, nodeId: tag.nodeId, err: errorMessage(error) }, 'opcua tag not resolvable');
        emitBad(emit, [tag]);
      }
    }
    return resolved;
  }

  async function subscribe(sdk: Sdk, session: ClientSession, emit: EmitSamples, heard: () => void) {
    const resolved = await resolveTags(sdk, session, emit);
    const serverLimit = await readValue<number>(sdk, session, MAX_MONITORED_ITEMS_PER_CALL).catch(
      () => undefined,
    );
    const perCall = serverLimit ? Math.min(serverLimit, MONITORED_ITEMS_PER_CALL) : MONITORED_ITEMS_PER_CALL;
    const send = batcher(emit);
    const handlers = {
      onChange(tag: OpcuaTagConfig, dataValue: DataValue) {
        heard();
        const sample: Sample = { machine: tag.machine, tag: tag.tag, ...fromDataValue(dataValue, now()) };
        lastQuality.set(tag, sample.quality);
        send(sample);
      },
      onRefused(tag: OpcuaTagConfig, statusName: string) {
        log.warn({ ...context, nodeId: tag.nodeId, status: statusName }, 'opcua tag not monitored');
        emitBad(emit, [tag]);
      },
    };
    let groupCount = 0;
    for (let start = 0; start < resolved.length; start += config.maxItemsPerSubscription) {
      const subscription = await session.createSubscription2({
        requestedPublishingInterval: publishingIntervalMs,
        requestedMaxKeepAliveCount: maxKeepAliveCount,
        requestedLifetimeCount: maxKeepAliveCount * 6,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 1,
      });
      subscription.on('keepalive', heard);
      const groups = sdk.monitoredItemGroups(
        resolved.slice(start, start + config.maxItemsPerSubscription),
        config,
      );
      groupCount += groups.length;
      await sdk.monitorTags(subscription, groups, perCall, handlers);
    }
    log.info({ ...context, items: resolved.length, groups: groupCount }, 'opcua subscribed');
  }

  async function disconnect(client: OPCUAClient) {
    await Promise.race([client.disconnect().catch(() => {}), sleep(DISCONNECT_TIMEOUT_MS)]);
  }

  /** One connection, from connect to loss; resolves with how it ended. */
  async function connectOnce(emit: EmitSamples, stopped: Promise<string | undefined>): Promise<Outcome> {
    status.set('connecting');
    let connected = false;
    let pki: ClientPki | undefined;
    let client: OPCUAClient | undefined;
    let silent: (reason: string) => void = () => {};
    const watchdogFired = new Promise<string>((resolve) => {
      silent = resolve;
    });
    const watchdog = keepAliveWatchdog({
      timeoutMs: config.keepAliveTimeoutMs,
      onSilent: (silentMs) => silent(`no keep-alive from the server for ${silentMs} ms`),
      now,
    });
    try {
      const sdk = await loadSdk();
      pki = await sdk.openClientPki(pkiDir);
      client = (createClient ?? sdk.createOpcuaClient)({
        security: config.security,
        certificateManager: pki.certificateManager,
      });
      const current = client;
      const lost = new Promise<string>((resolve) => {
        current.once('connection_lost', () => resolve('connection lost'));
        current.once('close', () => resolve('connection closed'));
      });
      const abandon = Promise.race([lost, watchdogFired, stopped]);
      const step = async <T>(work: Promise<T>): Promise<T> => {
        const result = await Promise.race([work, abandon.then((reason) => ({ abandoned: reason }))]);
        if (typeof result === 'object' && result !== null && 'abandoned' in result)
          throw new Error(String(result.abandoned ?? 'stopped'));
        return result as T;
      };
      watchdog.heard();
      await step(current.connect(config.endpoint));
      watchdog.heard();
      const session = await step(current.createSession());
      watchdog.heard();
      await step(subscribe(sdk, session, emit, watchdog.heard));
      connected = true;
      status.set('connected');
      log.info({ ...context, security: config.security.mode }, 'opcua connected');
      const reason = await abandon;
      if (reason) throw new Error(reason);
      return { kind: 'ended', connected };
    } catch (error) {
      const refused = pki?.refused();
      if (refused) {
        const message = `trust pending: server certificate ${refused.thumbprint} (${refused.status}); trust it with \`pnpm edge opcua trust ${refused.thumbprint}\``;
        status.set('trust pending', message);
        log.warn(
          { ...context, thumbprint: refused.thumbprint, status: refused.status },
          'opcua server certificate not trusted',
        );
        emitBad(emit, config.tags);
        return { kind: 'trust pending', thumbprint: refused.thumbprint };
      }
      status.set('disconnected', errorMessage(error));
      log.warn(
        { ...context, err: errorMessage(error) },
        connected ? 'opcua connection lost' : 'opcua connection failed',
      );
      emitBad(emit, config.tags);
      return { kind: 'ended', connected };
    } finally {
      watchdog.stop();
      if (client) await disconnect(client);
      await pki?.dispose().catch(() => {});
    }
  }

  async function run(emit: EmitSamples, signal: AbortSignal) {
    const backoff = exponentialBackoff(config.reconnect);
    const stopped = new Promise<undefined>((resolve) =>
      signal.addEventListener('abort', () => resolve(undefined), { once: true }),
    );
    while (!signal.aborted) {
      const outcome = await connectOnce(emit, stopped);
      if (signal.aborted) break;
      if (outcome.kind === 'trust pending') {
        await sleep(config.trustRetryMs, signal);
        continue;
      }
      if (outcome.connected) backoff.reset();
      await sleep(backoff.next(), signal);
    }
  }

  let running: Promise<void> | undefined;
  return {
    id: config.id,
    type: 'opcua',
    status: status.get,
    async start(emit) {
      if (running) throw new Error(`connector ${config.id} is already started`);
      const controller = new AbortController();
      running = run(emit, controller.signal);
      const current = running;
      return async () => {
        controller.abort();
        await current;
        running = undefined;
        status.set('stopped');
      };
    },
  };
}
