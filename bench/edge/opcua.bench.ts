// OPC UA: 5,000 monitored items changing every 500 ms, recorded into SQLite; throughput, lag and edge RSS.
// The simulator runs in a child process so the RSS is the edge's alone. Run alone: node bench/edge/opcua.bench.ts [seconds]
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tempDir, waitFor } from '@unison/testkit';
import { opcuaConnector } from '../../edge/src/connectors/opcua/opcua.connector.ts';
import { createRecorder } from '../../edge/src/recorder/recorder.ts';
import { createSamplesRepository } from '../../edge/src/store/samples.repository.ts';
import { openEdgeDatabase } from '../../edge/src/store/sqlite.ts';
import { OpcuaConnector } from '../../packages/config/src/opcua.schema.ts';
import type { Sample } from '../../packages/contracts/src/index.ts';

export interface BenchRow {
  figure: string;
  value: number;
  unit: string;
  target?: string;
}

const ITEMS = 5000;
const CHANGE_INTERVAL_MS = 500;
const root = join(import.meta.dirname, '../..');
const pino = createRequire(join(root, 'edge/package.json'))('pino') as (options: {
  level: string;
}) => Parameters<typeof opcuaConnector>[1]['log'];

/** The simulator with ITEMS bulk variables, in its own process; resolves with its endpoint. */
async function startBulkSimulator(pkiDir: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const script = `
    import { startSimulator } from '@unison/simulator';
    const sim = await startSimulator({ tickMs: 0, modbus: false,
      opcua: { port: 0, pkiDir: ${JSON.stringify(pkiDir)}, bulk: { count: ${ITEMS}, changeIntervalMs: ${CHANGE_INTERVAL_MS} } } });
    console.log('endpoint ' + sim.endpoints.opcua);
    process.stdin.on('end', () => sim.stop().then(() => process.exit(0)));
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /endpoint (opc\.tcp:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { endpoint, child };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function runOpcuaBench(seconds = 20) {
  const dir = tempDir('unison-bench-opcua-');
  const { endpoint, child } = await startBulkSimulator(join(dir.path, 'sim-pki'));
  const database = openEdgeDatabase(join(dir.path, 'edge.db'));
  const log = pino({ level: 'warn' });
  const recorder = createRecorder({ samples: createSamplesRepository(database.db), log, maxBatch: 2000 });
  const connector = opcuaConnector(
    OpcuaConnector.parse({
      type: 'opcua',
      id: 'bench',
      endpoint,
      samplingIntervalMs: 250,
      publishingIntervalMs: 250,
      queueSize: 4,
      tags: Array.from({ length: ITEMS }, (_, i) => ({
        machine: 'bench-1',
        tag: `v${i}`,
        nodeId: `nsu=urn:unison:simulator;s=bulk.${i}`,
      })),
    }),
    { log, pkiDir: join(dir.path, 'edge-pki') },
  );

  let measuring = false;
  let received = 0;
  const lagsMs: number[] = [];
  const firstSeen = new Set<string>();
  const onSamples = (samples: Sample[]) => {
    recorder.record(samples);
    const nowMs = Date.now();
    for (const sample of samples) {
      if (!measuring) {
        if (sample.quality === 'good') firstSeen.add(sample.tag);
        continue;
      }
      received += 1;
      if (received % 10 === 0) lagsMs.push(nowMs - sample.tsMs);
    }
  };
  const subscribeStartedMs = performance.now();
  const stop = await connector.start(onSamples);
  let rssMaxBytes = 0;
  try {
    await waitFor(() => (firstSeen.size === ITEMS ? true : undefined), {
      timeoutMs: 30_000,
      what: `first values of ${ITEMS} items`,
    });
    const subscribeMs = performance.now() - subscribeStartedMs;
    recorder.flush();
    const recordedBefore = recorder.stats().recorded;
    measuring = true;
    const startedMs = performance.now();
    const rssTimer = setInterval(() => {
      rssMaxBytes = Math.max(rssMaxBytes, process.memoryUsage().rss);
    }, 250);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    clearInterval(rssTimer);
    measuring = false;
    recorder.flush();
    const elapsedS = (performance.now() - startedMs) / 1000;
    const recordedPerS = (recorder.stats().recorded - recordedBefore) / elapsedS;
    const sortedLags = lagsMs.sort((a, b) => a - b);
    const rows: BenchRow[] = [
      {
        figure: `OPC UA samples/s recorded into SQLite (${ITEMS} items, change every ${CHANGE_INTERVAL_MS} ms)`,
        value: Math.round(recordedPerS),
        unit: 'samples/s',
        target: `≥ ${(ITEMS * 1000) / CHANGE_INTERVAL_MS}`,
      },
      { figure: 'OPC UA samples/s received', value: Math.round(received / elapsedS), unit: 'samples/s' },
      { figure: 'OPC UA lag source → edge, p50', value: Math.round(percentile(sortedLags, 50)), unit: 'ms' },
      { figure: 'OPC UA lag source → edge, p99', value: Math.round(percentile(sortedLags, 99)), unit: 'ms' },
      {
        figure: 'OPC UA edge RSS, max during the run',
        value: Math.round(rssMaxBytes / 1024 / 1024),
        unit: 'MB',
        target: '< 200',
      },
      { figure: `OPC UA time to subscribe ${ITEMS} items`, value: Math.round(subscribeMs), unit: 'ms' },
    ];
    return {
      rows,
      figures: {
        opcua_samples_per_s: rows[0]?.value ?? 0,
        opcua_received_per_s: rows[1]?.value ?? 0,
        opcua_lag_p50_ms: rows[2]?.value ?? 0,
        opcua_lag_p99_ms: rows[3]?.value ?? 0,
        opcua_rss_mb: rows[4]?.value ?? 0,
        opcua_subscribe_ms: rows[5]?.value ?? 0,
      },
    };
  } finally {
    await stop();
    recorder.stop();
    database.close();
    child.stdin?.end();
    await new Promise((resolve) => child.once('exit', resolve));
    dir.remove();
  }
}

if (import.meta.main) {
  const result = await runOpcuaBench(Number(process.argv[2] ?? 20));
  console.table(result.rows);
}
