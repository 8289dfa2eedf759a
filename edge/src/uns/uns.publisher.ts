import type { MachineConfig } from '@unison/config';
import type { Sample } from '@unison/contracts';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Broker } from '../broker/broker.ts';
import { errorMessage } from '../lib/sleep.ts';
import { unsPayload, unsTopics } from './uns.topic.ts';

export interface UnsPublisherOptions {
  /** An external broker; or `broker`, the embedded one (published in-process). */
  brokerUrl?: string;
  broker?: Pick<Broker, 'publish'>;
  username?: string;
  password?: string;
  plant: string;
  machines: Pick<MachineConfig, 'id' | 'area' | 'line'>[];
  root?: string;
  log: Logger;
  connect?: (url: string, options: IClientOptions) => MqttClient;
}

export interface UnsPublisher {
  /** Queues the samples' latest values; historical ones are left out (they are not "now"). */
  publish(samples: Sample[]): void;
  /** Retained messages sent so far. */
  published(): number;
  stop(): Promise<void>;
}

interface UnsSink {
  send(topic: string, payload: string): void;
  stop(): Promise<void>;
}

function embeddedSink(broker: Pick<Broker, 'publish'>, log: Logger): UnsSink {
  return {
    send: (topic, payload) =>
      void broker
        .publish(topic, payload, { retain: true })
        .catch((error) => log.warn({ topic, err: errorMessage(error) }, 'uns publish failed')),
    stop: async () => {},
  };
}

function clientSink(client: MqttClient, onConnect: () => void, log: Logger): UnsSink {
  client.on('connect', onConnect);
  client.on('error', (error) => log.warn({ err: errorMessage(error) }, 'uns broker error'));
  return {
    // Offline messages are dropped, not queued: the latest values are sent again on reconnect.
    send: (topic, payload) => {
      if (client.connected) client.publish(topic, payload, { qos: 0, retain: true });
    },
    stop: () => client.endAsync(),
  };
}

/** Republishes normalized samples, retained, on the Unified Namespace for local consumers. */
export async function startUnsPublisher({
  brokerUrl,
  broker,
  username,
  password,
  plant,
  machines,
  root = 'unison',
  log,
  connect = (url, options) => mqtt.connect(url, options),
}: UnsPublisherOptions): Promise<UnsPublisher> {
  const topicOf = unsTopics(root, plant, machines);
  const latest = new Map<string, string>();
  let pending = new Map<string, string>();
  let flushQueued = false;
  let published = 0;

  let sink: UnsSink;
  if (broker) sink = embeddedSink(broker, log);
  else if (brokerUrl) {
    const client = connect(brokerUrl, { username, password, reconnectPeriod: 1000, queueQoSZero: false });
    sink = clientSink(client, () => resend(latest), log);
  } else throw new Error('startUnsPublisher needs brokerUrl or broker');

  function resend(messages: Map<string, string>) {
    for (const [topic, payload] of messages) {
      sink.send(topic, payload);
      published += 1;
    }
  }

  // Coalesced per tick: a tag that changed ten times since the last flush is sent once.
  function flush() {
    flushQueued = false;
    const batch = pending;
    pending = new Map();
    resend(batch);
  }

  let stopped = false;
  return {
    publish(samples) {
      if (stopped) return;
      for (const sample of samples) {
        if (sample.historical) continue;
        const topic = topicOf(sample);
        const payload = unsPayload(sample);
        latest.set(topic, payload);
        pending.set(topic, payload);
      }
      if (!flushQueued && pending.size > 0) {
        flushQueued = true;
        setImmediate(flush);
      }
    },
    published: () => published,
    async stop() {
      if (stopped) return;
      stopped = true;
      flush();
      await sink.stop();
    },
  };
}
