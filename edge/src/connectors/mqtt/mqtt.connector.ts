import type { MqttConnectorConfig } from '@unison/config';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { errorMessage } from '../../lib/sleep.ts';
import { type Connector, connectionStatus } from '../connector.ts';
import { parseMessage, topicMatches } from './mqtt.payload.ts';

export interface MqttConnectorOptions {
  log: Logger;
  now?: () => number;
  connect?: (config: MqttConnectorConfig) => MqttClient;
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

/** Subscribes to machines' JSON messages; malformed ones are counted as rejected, never thrown. */
export function mqttConnector(
  config: MqttConnectorConfig,
  { log, now = Date.now, connect = connectMqtt }: MqttConnectorOptions,
): Connector {
  const status = connectionStatus();
  const filters = config.subscriptions.map((s) => s.topic);

  return {
    id: config.id,
    type: 'mqtt',
    status: status.get,
    async start(emit) {
      status.set('connecting');
      const client = connect(config);
      client.on('connect', () => {
        status.set('connected');
        log.info({ connector: config.id }, 'mqtt connected');
        client.subscribe(filters, { qos: 1 }, (error) => {
          if (error) status.set('connected', `subscribe failed: ${error.message}`);
        });
      });
      client.on('reconnect', () => status.set('connecting'));
      client.on('close', () => {
        if (status.get().state !== 'stopped') status.set('disconnected');
      });
      client.on('error', (error) => {
        status.set(status.get().state, errorMessage(error));
        log.warn({ connector: config.id, err: errorMessage(error) }, 'mqtt error');
      });
      client.on('message', (topic, payload) => {
        if (payload.length > config.maxPayloadBytes) {
          return reject(
            `topic ${topic}: payload of ${payload.length} bytes exceeds ${config.maxPayloadBytes}`,
          );
        }
        for (const subscription of config.subscriptions) {
          if (!topicMatches(subscription.topic, topic)) continue;
          const result = parseMessage(subscription, topic, payload, now());
          if ('rejected' in result) reject(result.rejected);
          else emit(result.samples);
        }
      });

      function reject(reason: string) {
        status.reject(reason);
        log.warn({ connector: config.id, reason }, 'mqtt message rejected');
      }

      return async () => {
        status.set('stopped');
        await client.endAsync(true);
      };
    },
  };
}
