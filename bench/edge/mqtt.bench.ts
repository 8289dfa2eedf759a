// MQTT: samples/s recorded into SQLite through the edge's connector and recorder, via the embedded aedes
// broker and via Mosquitto (127.0.0.1:1883), same run. Load comes from a child process.
// Run alone: node bench/edge/mqtt.bench.ts [seconds per broker]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tempDir, waitFor } from '@unison/testkit';
import { startBroker } from '../../edge/src/broker/broker.ts';
import { mqttConnector } from '../../edge/src/connectors/mqtt/mqtt.connector.ts';
import { createRecorder } from '../../edge/src/recorder/recorder.ts';
import { createSamplesRepository } from '../../edge/src/store/samples.repository.ts';
import { openEdgeDatabase } from '../../edge/src/store/sqlite.ts';
import { MqttConnector } from '../../packages/config/src/mqtt.schema.ts';

export interface BenchRow {
  figure: string;
  value: number;
  unit: string;
  target?: string;
}

const FIELDS_PER_MESSAGE = 20;
const MACHINES = 10;
const MOSQUITTO_URL = 'mqtt://127.0.0.1:1883';
const edgeRequire = createRequire(join(import.meta.dirname, '../../edge/package.json'));
const pino = edgeRequire('pino') as (options: {
  level: string;
}) => Parameters<typeof mqttConnector>[1]['log'];
interface LoadClient {
  publish(topic: string, payload: string, options: { qos: 0 }): void;
  stream: { writableNeedDrain: boolean; once(event: 'drain', listener: () => void): void };
  endAsync(): Promise<void>;
}
const mqtt = edgeRequire('mqtt') as {
  connectAsync(url: string, options: { keepalive: number }): Promise<LoadClient>;
};

/** The load: machines publishing `{ values: [{ v }, …] }` at QoS 0 as fast as the socket drains. */
async function publishLoad(url: string, topicPrefix: string, seconds: number) {
  const client = await mqtt.connectAsync(url, { keepalive: 0 });
  const until = Date.now() + seconds * 1000;
  let messages = 0;
  while (Date.now() < until) {
    for (let i = 0; i < 500; i++) {
      const values = Array.from({ length: FIELDS_PER_MESSAGE }, (_, f) => ({ v: messages + f }));
      client.publish(`${topicPrefix}/m${messages % MACHINES}/data`, JSON.stringify({ values }), { qos: 0 });
      messages += 1;
    }
    // Lets the socket drain: the load is as fast as the broker takes it, not an unbounded buffer.
    await new Promise<void>((resolve) =>
      client.stream.writableNeedDrain ? client.stream.once('drain', () => resolve()) : setImmediate(resolve),
    );
  }
  await client.endAsync();
  process.stdout.write(`published ${messages}\n`);
}

function runLoad(url: string, topicPrefix: string, seconds: number): Promise<number> {
  const child = spawn(process.execPath, [import.meta.filename, '--load', url, topicPrefix, String(seconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve(Number(/published (\d+)/.exec(output)?.[1] ?? 0))
        : reject(new Error(`load exited ${code}`)),
    ),
  );
}

const DRAIN_MS = 3000;

/**
 * Samples per second from the first one to the end of the window (the load plus at most DRAIN_MS), and
 * the share of published samples that made it. `record`: through the recorder into SQLite; else only
 * counted as the connector emits them. Writes after the window are skipped so a backlog can't stretch the run.
 */
async function throughput(url: string, seconds: number, record: boolean) {
  const dir = tempDir('unison-bench-mqtt-');
  const database = openEdgeDatabase(join(dir.path, 'edge.db'));
  const log = pino({ level: 'silent' });
  const repository = createSamplesRepository(database.db);
  // A deadline, not a flag: the recorder flushes its whole buffer in one go, so no timer could close the window.
  let windowEndsAt = Number.POSITIVE_INFINITY;
  const windowOpen = () => performance.now() < windowEndsAt;
  let counted = 0;
  const recorder = createRecorder({
    log,
    samples: {
      insertMany(records) {
        if (!windowOpen()) return;
        repository.insertMany(records);
        counted += records.length;
      },
    },
  });
  const topicPrefix = `bench-${process.pid}-${Date.now()}`;
  const connector = mqttConnector(
    MqttConnector.parse({
      type: 'mqtt',
      id: 'bench',
      url,
      subscriptions: [
        {
          topic: `${topicPrefix}/+/data`,
          machineFromTopicLevel: 1,
          fields: Array.from({ length: FIELDS_PER_MESSAGE }, (_, f) => ({
            tag: `t${f}`,
            path: `values[${f}].v`,
          })),
        },
      ],
    }),
    { log },
  );
  let firstAt = 0;
  const stop = await connector.start((samples) => {
    if (firstAt === 0) firstAt = performance.now();
    if (record) recorder.record(samples);
    else if (windowOpen()) counted += samples.length;
  });
  await waitFor(() => (connector.status().state === 'connected' ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 200));
  windowEndsAt = performance.now() + seconds * 1000 + DRAIN_MS;
  const published = (await runLoad(url, topicPrefix, seconds)) * FIELDS_PER_MESSAGE;
  let previous = -1;
  while (windowOpen() && counted !== previous) {
    previous = counted;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const windowMs = Math.min(performance.now(), windowEndsAt) - firstAt;
  windowEndsAt = 0;
  await stop();
  recorder.stop();
  database.close();
  dir.remove();
  return {
    perSecond: counted / (windowMs / 1000),
    deliveredPercent: (100 * counted) / Math.max(1, published),
  };
}

const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function runMqttBench(secondsPerRun = 3) {
  const broker = await startBroker({ host: '127.0.0.1', port: 0, log: pino({ level: 'silent' }) });
  const aedesUrl = `mqtt://127.0.0.1:${broker.port}`;
  const aedes = await throughput(aedesUrl, secondsPerRun, true);
  const aedesConnector = await throughput(aedesUrl, secondsPerRun, false);
  await broker.stop();
  const mosquitto = await throughput(MOSQUITTO_URL, secondsPerRun, true);
  const mosquittoConnector = await throughput(MOSQUITTO_URL, secondsPerRun, false);
  const rows: BenchRow[] = [
    {
      figure: 'MQTT samples/s into SQLite, embedded aedes',
      value: round(aedes.perSecond),
      unit: 'samples/s',
      target: '≥ 50000',
    },
    {
      figure: 'MQTT samples/s into SQLite, Mosquitto',
      value: round(mosquitto.perSecond),
      unit: 'samples/s',
      target: '≥ 50000',
    },
    {
      figure: 'MQTT samples/s out of the connector (no store), aedes',
      value: round(aedesConnector.perSecond),
      unit: 'samples/s',
    },
    {
      figure: 'MQTT samples/s out of the connector (no store), Mosquitto',
      value: round(mosquittoConnector.perSecond),
      unit: 'samples/s',
    },
    {
      figure: 'MQTT published samples recorded in the window, aedes',
      value: round(aedes.deliveredPercent, 1),
      unit: '%',
    },
    {
      figure: 'MQTT published samples recorded in the window, Mosquitto',
      value: round(mosquitto.deliveredPercent, 1),
      unit: '%',
    },
  ];
  return {
    rows,
    figures: {
      mqtt_aedes_samples_per_s: rows[0]?.value ?? 0,
      mqtt_mosquitto_samples_per_s: rows[1]?.value ?? 0,
      mqtt_aedes_connector_samples_per_s: rows[2]?.value ?? 0,
      mqtt_mosquitto_connector_samples_per_s: rows[3]?.value ?? 0,
      mqtt_aedes_recorded_percent: rows[4]?.value ?? 0,
      mqtt_mosquitto_recorded_percent: rows[5]?.value ?? 0,
    },
  };
}

if (import.meta.main) {
  if (process.argv[2] === '--load') {
    await publishLoad(
      process.argv[3] ?? MOSQUITTO_URL,
      process.argv[4] ?? 'bench',
      Number(process.argv[5] ?? 5),
    );
  } else {
    console.table((await runMqttBench(Number(process.argv[2] ?? 3))).rows);
  }
}
