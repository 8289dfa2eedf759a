import type { MqttConnectorConfig } from '@unison/config';
import type { Sample } from '@unison/contracts';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { exponentialBackoff } from '../../lib/backoff.ts';
import { errorMessage } from '../../lib/sleep.ts';
import { type Connector, connectionStatus } from '../connector.ts';
import { parseMessage, topicMatches } from './mqtt.payload.ts';
import { type RejectedMessage, rejectedRing } from './mqtt.rejected.ts';

export interface MqttConnectorOptions {
  log: Logger;
  now?: () => number;
  connect?: (config: MqttConnectorConfig) => MqttClient;
}

/** A connector that also keeps the last rejected messages for the edge's status page. */
export interface MqttConnector extends Connector {
  rejectedMessages(): RejectedMessage[];
}

export function connectMqtt(config: MqttConnectorConfig): MqttClient {
  return mqtt.connect(config.url, {
    clientId: config.clientId,
    username: config.username,
    password: config.password,
    reconnectPeriod: config.reconnect.initialDelayMs,
    connectTimeout: 10_000,
  });
}

/** Subscribes to machines' JSON messages; malformed ones are counted and kept, never thrown. */
export function mqttConnector(
  config: MqttConnectorConfig,
  { log, now = Date.now, connect = connectMqtt }: MqttConnectorOptions,
): MqttConnector {
  const status = connectionStatus();
  const rejected = rejectedRing({ capacity: config.rejectedKeep ?? 50 });
  const filters = config.subscriptions.map((s) => s.topic);

  return {
    id: config.id,
    type: 'mqtt',
    status: status.get,
    rejectedMessages: rejected.list,
    async start(emit) {
      status.set('connecting');
      const seen = new Map<string, Sample>();
      const backoff = exponentialBackoff(config.reconnect);
      const client = connect(config);
      client.on('connect', () => {
        status.set('connected');
        backoff.reset();
        client.options.reconnectPeriod = config.reconnect.initialDelayMs;
        log.info({ connector: config.id }, 'mqtt connected');
        client.subscribe(filters, { qos: 1 }, (error) => {
          if (error) status.set('connected', `subscribe failed: ${error.message}`);
        });
      });
      client.on('reconnect', () => status.set('connecting'));
      client.on('close', () => {
        if (status.get().state === 'stopped') return;
        // mqtt.js reads the period when it schedules the next attempt: this makes it back off.
        client.options.reconnectPeriod = backoff.next();
        if (status.get().state === 'connected') markAllBad();
        status.set('disconnected');
      });
      client.on('error', (error) => {
        status.set(status.get().state, errorMessage(error));
        log.warn({ connector: config.id, err: errorMessage(error) }, 'mqtt error');
      });
      client.on('message', (topic, payload) => {
        if (status.get().state === 'stopped') return;
        if (payload.length > config.maxPayloadBytes) {
          return reject(
            topic,
            payload,
            `payload of ${payload.length} bytes exceeds ${config.maxPayloadBytes}`,
          );
        }
        for (const subscription of config.subscriptions) {
          if (!topicMatches(subscription.topic, topic)) continue;
          const result = parseMessage(subscription, topic, payload, now());
          if ('rejected' in result) {
            reject(topic, payload, result.rejected);
            continue;
          }
          for (const sample of result.samples) seen.set(`${sample.machine}/${sample.tag}`, sample);
          emit(result.samples);
        }
      });

      function reject(topic: string, payload: Buffer, reason: string) {
        status.reject(`${topic}: ${reason}`);
        rejected.add({ atMs: now(), topic, reason, payload });
        log.warn({ connector: config.id, topic, reason }, 'mqtt message rejected');
      }

      // The broker is gone: what we last heard can no longer be vouched for.
      function markAllBad() {
        if (seen.size === 0) return;
        const tsMs = now();
        emit(
          [...seen.values()].map((s) => ({
            machine: s.machine,
            tag: s.tag,
            tsMs,
            value: null,
            quality: 'bad',
          })),
        );
        log.warn({ connector: config.id, tags: seen.size }, 'mqtt broker lost; tags marked bad');
      }

      let stopping: Promise<void> | undefined;
      return () => {
        status.set('stopped');
        stopping ??= client.endAsync(true);
        return stopping;
      };
    },
  };
}
