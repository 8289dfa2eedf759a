import type { SparkplugConnectorConfig } from '@unison/config';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { exponentialBackoff } from '../../lib/backoff.ts';
import { errorMessage, sleep } from '../../lib/sleep.ts';
import { type Connector, connectionStatus } from '../connector.ts';
import { type RejectedMessage, rejectedRing } from '../mqtt/mqtt.rejected.ts';
import { decodeSparkplug, rebirthRequest } from './sparkplug.codec.ts';
import { sparkplugSessions } from './sparkplug.session.ts';
import {
  parseSparkplugTopic,
  SPARKPLUG_NAMESPACE,
  sparkplugTopic,
  statePayload,
  stateTopic,
} from './sparkplug.topic.ts';

export interface SparkplugConnectorOptions {
  log: Logger;
  now?: () => number;
  connect?: (url: string, options: IClientOptions) => MqttClient;
}

export interface SparkplugConnector extends Connector {
  rejectedMessages(): RejectedMessage[];
  /** NCMD rebirth requests sent so far. */
  rebirthsRequested(): number;
}

const OFFLINE_STATE_WAIT_MS = 500;

const connectMqtt = (url: string, options: IClientOptions) => mqtt.connect(url, options);

/** A Sparkplug B 3.0 host application: reads edge nodes' births, data and deaths into samples. */
export function sparkplugConnector(
  config: SparkplugConnectorConfig,
  { log, now = Date.now, connect = connectMqtt }: SparkplugConnectorOptions,
): SparkplugConnector {
  const status = connectionStatus();
  const rejected = rejectedRing();
  const own = stateTopic(config.hostId);
  const groups = [...new Set(config.sources.map((s) => s.group))];
  const uniqueNodes = [...new Map(config.sources.map((s) => [`${s.group}/${s.node}`, s])).values()];
  let rebirths = 0;

  return {
    id: config.id,
    type: 'sparkplug',
    status: status.get,
    rejectedMessages: rejected.list,
    rebirthsRequested: () => rebirths,
    async start(emit) {
      status.set('connecting');
      const sessions = sparkplugSessions({
        sources: config.sources,
        rebirthTimeoutMs: config.rebirthTimeoutMs,
        now,
      });
      const backoff = exponentialBackoff(config.reconnect);
      // The death certificate must carry the timestamp of the birth that follows the same connect.
      let stateTimestampMs = now();
      const will = () => ({
        topic: own,
        payload: Buffer.from(statePayload(false, stateTimestampMs)),
        qos: 1 as const,
        retain: true,
      });
      const client = connect(config.url, {
        clientId: `${config.hostId}-${config.id}`,
        username: config.username,
        password: config.password,
        clean: true,
        reconnectPeriod: config.reconnect.initialDelayMs,
        connectTimeout: 10_000,
        will: will(),
      });
      const publishState = (online: boolean) =>
        client.publish(own, statePayload(online, stateTimestampMs), { qos: 1, retain: true });

      client.on('connect', () => {
        backoff.reset();
        client.options.reconnectPeriod = config.reconnect.initialDelayMs;
        const filters = [...groups.map((group) => `${SPARKPLUG_NAMESPACE}/${group}/#`), own];
        client.subscribe(filters, { qos: 1 }, (error) => {
          if (error) return status.set('connected', `subscribe failed: ${error.message}`);
          publishState(true);
          status.set('connected');
          // Nodes that were running before we came online only tell us their aliases in a birth.
          for (const { group, node } of uniqueNodes) requestRebirth({ group, node, reason: 'host online' });
          log.info({ connector: config.id, hostId: config.hostId, groups }, 'sparkplug host online');
        });
      });
      client.on('reconnect', () => status.set('connecting'));
      client.on('close', () => {
        if (status.get().state === 'stopped') return;
        client.options.reconnectPeriod = backoff.next();
        stateTimestampMs = now();
        client.options.will = will();
        const lost = sessions.lost();
        if (lost.length > 0) {
          log.warn({ connector: config.id, tags: lost.length }, 'sparkplug broker lost; tags marked bad');
          emit(lost);
        }
        status.set('disconnected');
      });
      client.on('error', (error) => {
        status.set(status.get().state, errorMessage(error));
        log.warn({ connector: config.id, err: errorMessage(error) }, 'sparkplug mqtt error');
      });
      client.on('message', (topic, payload) => {
        if (status.get().state === 'stopped') return;
        if (topic === own) return onOwnState(payload);
        const parsed = parseSparkplugTopic(topic);
        if (!parsed) return;
        let message: ReturnType<typeof decodeSparkplug>;
        try {
          message = decodeSparkplug(payload);
        } catch (error) {
          return reject(topic, payload, `not a Sparkplug B payload: ${errorMessage(error)}`);
        }
        const outcome = sessions.handle(parsed, message);
        if (outcome.warning) log.warn({ connector: config.id, topic }, outcome.warning);
        if (outcome.samples.length > 0) emit(outcome.samples);
        if (outcome.rebirth) requestRebirth(outcome.rebirth);
      });

      // A stale death certificate (ours, from an earlier session) must not leave us looking offline.
      function onOwnState(payload: Buffer) {
        try {
          const state = JSON.parse(payload.toString('utf8')) as { online?: unknown };
          if (state.online === false && client.connected) publishState(true);
        } catch {
          // Not a 3.0 STATE payload (e.g. a 2.2 "OFFLINE" string): answered the same way.
          if (client.connected) publishState(true);
        }
      }

      function requestRebirth({ group, node, reason }: { group: string; node: string; reason: string }) {
        rebirths += 1;
        log.warn({ connector: config.id, group, node, reason }, 'sparkplug rebirth requested');
        client.publish(sparkplugTopic({ group, type: 'NCMD', node }), rebirthRequest(now()), { qos: 0 });
      }

      function reject(topic: string, payload: Buffer, reason: string) {
        status.reject(`${topic}: ${reason}`);
        rejected.add({ atMs: now(), topic, reason, payload });
        log.warn({ connector: config.id, topic, reason }, 'sparkplug message rejected');
      }

      let stopping: Promise<void> | undefined;
      return () => {
        stopping ??= (async () => {
          status.set('stopped');
          let saidOffline = false;
          if (client.connected) {
            // Bounded: a broker that stopped answering must not hold up the edge's shutdown.
            const offline = client
              .publishAsync(own, statePayload(false, stateTimestampMs), { qos: 1, retain: true })
              .then(
                () => true,
                () => false,
              );
            saidOffline = await Promise.race([offline, sleep(OFFLINE_STATE_WAIT_MS).then(() => false)]);
          }
          // A clean DISCONNECT once offline was said, so the broker does not repeat it with the will.
          await client.endAsync(!saidOffline);
        })();
        return stopping;
      };
    },
  };
}
