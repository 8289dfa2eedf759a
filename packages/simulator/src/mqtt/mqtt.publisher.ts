import mqtt, { type MqttClient } from 'mqtt';
import type { MachineValues } from '../plant/machines.ts';
import { checkTopicPrefix, statusPayload, statusTopic } from './mqtt.payload.ts';

export interface MqttPublisherOptions {
  url: string;
  topicPrefix?: string;
  publishIntervalMs?: number;
  machines: readonly string[];
  read: (machine: string) => MachineValues;
  now?: () => Date;
  log?: (line: string) => void;
  connect?: (url: string) => MqttClient;
}

export interface MqttPublisher {
  /** Publishes a machine's status now, if connected; a broker that is away gets the next one. */
  publish(machine: string): void;
  stop(): Promise<void>;
}

const RECONNECT_PERIOD_MS = 1000;

export const connectMqtt = (url: string): MqttClient =>
  mqtt.connect(url, { reconnectPeriod: RECONNECT_PERIOD_MS, connectTimeout: 5000, clean: true });

export function startMqttPublisher({
  url,
  topicPrefix = 'sim',
  publishIntervalMs = 1000,
  machines,
  read,
  now = () => new Date(),
  log = () => {},
  connect = connectMqtt,
}: MqttPublisherOptions): MqttPublisher {
  checkTopicPrefix(topicPrefix);
  const client = connect(url);
  let wasConnected = false;
  let errorReported = false;

  const publish = (machine: string) => {
    // Statuses are snapshots: one queued while offline would only be stale on arrival.
    if (!client.connected) return;
    const payload = JSON.stringify(statusPayload(read(machine), now()));
    client.publish(statusTopic(topicPrefix, machine), payload, { qos: 1 }, (error) => {
      if (error) log(`mqtt: publish for ${machine} failed: ${error.message}`);
    });
  };
  const publishAll = () => {
    for (const machine of machines) publish(machine);
  };

  client.on('connect', () => {
    log(`mqtt: connected to ${url}, publishing to ${topicPrefix}/<machine>/status`);
    wasConnected = true;
    errorReported = false;
    publishAll();
  });
  client.on('close', () => {
    if (wasConnected) log(`mqtt: connection to ${url} lost, reconnecting`);
    wasConnected = false;
  });
  // A broker that stays away fails every reconnect; one line per outage is enough.
  client.on('error', (error) => {
    if (errorReported) return;
    errorReported = true;
    log(`mqtt: ${url}: ${error.message}; retrying every ${RECONNECT_PERIOD_MS} ms`);
  });
  const timer = setInterval(publishAll, publishIntervalMs);

  let stopping: Promise<void> | undefined;
  return {
    publish,
    stop: () => {
      clearInterval(timer);
      stopping ??= client.endAsync(true);
      return stopping;
    },
  };
}
