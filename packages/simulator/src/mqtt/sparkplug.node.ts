import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';
import type { MachineValues } from '../plant/machines.ts';

function spBv1() {
  const found = sparkplugPayload.get('spBv1.0');
  if (!found) throw new Error('sparkplug-payload has no spBv1.0 codec');
  return found;
}
const codec = spBv1();
type Metric = NonNullable<Parameters<typeof codec.encodePayload>[0]['metrics']>[number];

/** The machine values a simulated device reports, with Sparkplug types. */
export const SPARKPLUG_METRICS = [
  { name: 'state', type: 'String', read: (v: MachineValues) => v.state },
  { name: 'speed', type: 'Double', read: (v: MachineValues) => v.speed },
  { name: 'good', type: 'UInt32', read: (v: MachineValues) => v.good },
  { name: 'scrap', type: 'UInt32', read: (v: MachineValues) => v.scrap },
  { name: 'temperature', type: 'Double', read: (v: MachineValues) => v.temperature },
] as const;

export type SparkplugMetricName = (typeof SPARKPLUG_METRICS)[number]['name'];

export interface SparkplugNodeOptions {
  url: string;
  group?: string;
  node?: string;
  /** Device ids under the node; each reports the values `read` returns for it. */
  devices: readonly string[];
  read: (device: string) => MachineValues;
  /** DDATA for every device this often; 0: only when publishData() is called. */
  publishIntervalMs?: number;
  reconnectMs?: number;
  now?: () => number;
  log?: (line: string) => void;
  connect?: (url: string, options: IClientOptions) => MqttClient;
}

export interface SparkplugNode {
  /** DDATA (aliases only) with the current values of one device, or all. */
  publishData(device?: string): void;
  /** DDATA carrying back-filled values marked `is_historical`. */
  publishHistorical(
    device: string,
    values: Partial<Record<SparkplugMetricName, number | string>>,
    tsMs: number,
  ): void;
  /** Fault switch: the next message's seq jumps ahead by `count`, as if messages were lost. */
  skipSeq(count?: number): void;
  /** NBIRTHs published so far (one per connect and one per rebirth request). */
  births(): number;
  bdSeq(): number;
  connected(): boolean;
  /** Cuts the connection without DISCONNECT: the broker publishes the NDEATH will. */
  crash(): Promise<void>;
  /** Publishes NDEATH and disconnects. Idempotent. */
  stop(): Promise<void>;
}

/** A Sparkplug B 3.0 edge node with devices: births, aliases, seq, bdSeq, deaths and rebirth on NCMD. */
export function startSparkplugNode({
  url,
  group = 'unison',
  node = 'sim-node',
  devices,
  read,
  publishIntervalMs = 1000,
  reconnectMs = 1000,
  now = Date.now,
  log = () => {},
  connect = (target, options) => mqtt.connect(target, options),
}: SparkplugNodeOptions): SparkplugNode {
  const topic = (type: string, device?: string) =>
    ['spBv1.0', group, type, node, ...(device ? [device] : [])].join('/');
  const alias = (device: string, metric: number) => (devices.indexOf(device) + 1) * 100 + metric;
  let bdSeq = 0;
  let seq = 0;
  let births = 0;
  const encode = (metrics: Metric[], withSeq = true) =>
    Buffer.from(codec.encodePayload({ timestamp: now(), ...(withSeq ? { seq: nextSeq() } : {}), metrics }));
  const bdSeqMetric = (): Metric => ({ name: 'bdSeq', type: 'UInt64', value: bdSeq });
  const deathCertificate = () => ({
    topic: topic('NDEATH'),
    payload: encode([bdSeqMetric()], false),
    qos: 1 as const,
    retain: false,
  });

  function nextSeq() {
    const current = seq;
    seq = (seq + 1) % 256;
    return current;
  }

  const client = connect(url, {
    clean: true,
    reconnectPeriod: reconnectMs,
    connectTimeout: 5000,
    will: deathCertificate(),
  });
  const publish = (target: string, payload: Buffer) =>
    client.publish(target, payload, { qos: 0 }, (error) => {
      if (error) log(`sparkplug: publish to ${target} failed: ${error.message}`);
    });

  function birth() {
    seq = 0;
    births += 1;
    publish(
      topic('NBIRTH'),
      encode([bdSeqMetric(), { name: 'Node Control/Rebirth', type: 'Boolean', value: false }]),
    );
    for (const device of devices) {
      const values = read(device);
      const metrics = SPARKPLUG_METRICS.map((m, i) => ({
        name: m.name,
        alias: alias(device, i),
        type: m.type,
        value: m.read(values),
      }));
      publish(topic('DBIRTH', device), encode(metrics));
    }
  }

  function publishData(device?: string) {
    if (!client.connected) return;
    for (const target of device ? [device] : devices) {
      const values = read(target);
      const metrics = SPARKPLUG_METRICS.map((m, i) => ({
        alias: alias(target, i),
        type: m.type,
        value: m.read(values),
      }));
      publish(topic('DDATA', target), encode(metrics));
    }
  }

  client.on('connect', () => {
    client.subscribe([topic('NCMD'), `${topic('DCMD')}/+`], { qos: 0 }, (error) => {
      if (error) return log(`sparkplug: subscribe failed: ${error.message}`);
      log(`sparkplug: ${group}/${node} online (bdSeq ${bdSeq}) at ${url}`);
      birth();
    });
  });
  client.on('close', () => {
    // Each new session gets the next bdSeq, in its will and in the NBIRTH that follows.
    bdSeq = (bdSeq + 1) % 256;
    client.options.will = deathCertificate();
  });
  client.on('message', (target, payload) => {
    if (target !== topic('NCMD')) return;
    try {
      const command = codec.decodePayload(payload);
      if (command.metrics?.some((m) => m.name === 'Node Control/Rebirth' && m.value === true)) {
        log(`sparkplug: ${group}/${node} rebirth requested`);
        birth();
      }
    } catch (error) {
      log(`sparkplug: unreadable NCMD: ${(error as Error).message}`);
    }
  });
  client.on('error', (error) => log(`sparkplug: ${url}: ${error.message}`));
  const timer = publishIntervalMs > 0 ? setInterval(() => publishData(), publishIntervalMs) : undefined;

  let stopping: Promise<void> | undefined;
  return {
    publishData,
    publishHistorical(device, values, tsMs) {
      const metrics = SPARKPLUG_METRICS.flatMap((m, i) =>
        values[m.name] === undefined
          ? []
          : [
              {
                alias: alias(device, i),
                type: m.type,
                value: values[m.name],
                timestamp: tsMs,
                isHistorical: true,
              },
            ],
      );
      publish(topic('DDATA', device), encode(metrics as Metric[]));
    },
    skipSeq(count = 1) {
      seq = (seq + count) % 256;
    },
    births: () => births,
    bdSeq: () => bdSeq,
    connected: () => client.connected,
    crash() {
      clearInterval(timer);
      stopping ??= (async () => {
        client.stream.destroy();
        await client.endAsync(true);
      })();
      return stopping;
    },
    stop() {
      clearInterval(timer);
      stopping ??= (async () => {
        if (client.connected)
          await client.publishAsync(topic('NDEATH'), encode([bdSeqMetric()], false), { qos: 0 });
        await client.endAsync(true);
      })();
      return stopping;
    },
  };
}
