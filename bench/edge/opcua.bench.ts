// OPC UA: 5,000 monitored items changing every 500 ms, recorded into SQLite; throughput, lag and edge RSS.
// The simulator runs in a child process so the RSS is the edge's alone. Run alone: node bench/edge/opcua.bench.ts [seconds]
// (BENCH_MEMORY=1 prints RSS and V8 heap spaces at the main moments to stderr).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { tempDir, waitFor } from '@unison/testkit';
import { opcuaConnector } from '../../edge/src/connectors/opcua/opcua.connector.ts';
import { createRecorder } from '../../edge/src/recorder/recorder.ts';
import { EDGE_NODE_FLAGS } from '../../edge/src/runtime.flags.ts';
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
      // 0: the server reports each change as it happens instead of sampling every item on a timer.
      samplingIntervalMs: 0,
      publishingIntervalMs: 250,
      queueSize: 10,
      tags: Array.from({ length: ITEMS }, (_, i) => ({
        machine: 'bench-1',
        tag: `v${i}`,
        nodeId: `nsu=urn:unison:simulator;s=bulk.${i}`,
      })),
    }),
    { log, pkiDir: join(dir.path, 'edge-pki') },
  );

  // The simulator sets item i to `round + i / ITEMS` each round, so every value names its round: the
  // window is a whole number of rounds, timed by the source timestamps from the start of one round to
  // the start of a later one; the samples counted are those of the rounds in between.
  const rounds = Math.round((seconds * 1000) / CHANGE_INTERVAL_MS);
  let window: { first: number; end: number } | undefined;
  let latestRound = 0;
  let receivedInWindow = 0;
  const roundArrivedMs = new Map<number, number>();
  // The simulator's clock: the earliest source timestamp of each round.
  const roundStartedMs = new Map<number, number>();
  const lagsMs: number[] = [];
  const firstSeen = new Set<string>();
  const onSamples = (samples: Sample[]) => {
    recorder.record(samples);
    const nowMs = Date.now();
    for (const sample of samples) {
      if (sample.quality !== 'good' || typeof sample.value !== 'number') continue;
      const round = Math.floor(sample.value);
      if (!roundArrivedMs.has(round)) roundArrivedMs.set(round, performance.now());
      if (!(sample.tsMs >= (roundStartedMs.get(round) ?? Number.POSITIVE_INFINITY)))
        roundStartedMs.set(round, sample.tsMs);
      latestRound = Math.max(latestRound, round);
      if (!window) {
        firstSeen.add(sample.tag);
        continue;
      }
      if (round < window.first || round >= window.end) continue;
      receivedInWindow += 1;
      if (receivedInWindow % 10 === 0) lagsMs.push(nowMs - sample.tsMs);
    }
  };
  const memory = (label: string) => {
    if (!process.env.BENCH_MEMORY) return;
    const { rss, heapUsed, heapTotal } = process.memoryUsage();
    const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
    const spaces = getHeapSpaceStatistics()
      .map((space) => `${space.space_name} ${mb(space.space_used_size)}/${mb(space.space_size)}`)
      .join(', ');
    console.error(`${label}: rss ${mb(rss)} MB, heap ${mb(heapUsed)} / ${mb(heapTotal)} MB (${spaces})`);
  };
  memory('before connecting');
  const subscribeStartedMs = performance.now();
  const stop = await connector.start(onSamples);
  let rssMaxBytes = 0;
  let atRssMax = process.memoryUsage();
  try {
    await waitFor(() => (firstSeen.size === ITEMS ? true : undefined), {
      timeoutMs: 30_000,
      what: `first values of ${ITEMS} items`,
    });
    const subscribeMs = performance.now() - subscribeStartedMs;
    memory('subscribed');
    // Starts with the round after the next, which has certainly not begun to arrive.
    const first = latestRound + 2;
    window = { first, end: first + rounds };
    const rssTimer = setInterval(() => {
      const usage = process.memoryUsage();
      if (usage.rss > rssMaxBytes) {
        rssMaxBytes = usage.rss;
        atRssMax = usage;
      }
    }, 250);
    const end = window.end;
    await waitFor(() => (roundArrivedMs.has(end) ? true : undefined), {
      timeoutMs: seconds * 3000 + 30_000,
      intervalMs: 5,
      what: `round ${end}`,
    });
    clearInterval(rssTimer);
    memory('end of the window');
    const elapsedS = (roundStartedMs.get(end)! - roundStartedMs.get(first)!) / 1000;
    // Stragglers of the last round in the window may still be on their way.
    await waitFor(() => (receivedInWindow >= rounds * ITEMS ? true : undefined), {
      timeoutMs: 3000,
      intervalMs: 5,
    }).catch(() => undefined);
    recorder.flush();
    const { n: recordedInWindow } = database.sqlite
      .prepare('SELECT count(*) AS n FROM samples WHERE CAST(value AS REAL) >= ? AND CAST(value AS REAL) < ?')
      .get(first, end) as { n: number };
    // Per nominal second: the simulator's rounds are due at fixed times, so `rounds` of them span exactly
    // rounds × interval; the measured span (below) differs only by the jitter of its two end rounds.
    const recordedPerS = recordedInWindow / ((rounds * CHANGE_INTERVAL_MS) / 1000);
    const received = receivedInWindow;
    const sortedLags = lagsMs.sort((a, b) => a - b);
    const rows: BenchRow[] = [
      {
        figure: `OPC UA samples/s recorded into SQLite (${ITEMS} items, change every ${CHANGE_INTERVAL_MS} ms)`,
        value: Math.round(recordedPerS),
        unit: 'samples/s',
        target: `≥ ${(ITEMS * 1000) / CHANGE_INTERVAL_MS}`,
      },
      {
        figure: 'OPC UA samples/s received',
        value: Math.round(received / ((rounds * CHANGE_INTERVAL_MS) / 1000)),
        unit: 'samples/s',
      },
      {
        figure: `OPC UA changes recorded, of ${rounds} rounds × ${ITEMS} items`,
        value: Math.round((recordedInWindow / (rounds * ITEMS)) * 1000) / 10,
        unit: '%',
      },
      {
        figure: `OPC UA window: ${rounds} rounds of ${CHANGE_INTERVAL_MS} ms took (source timestamps)`,
        value: Math.round(elapsedS * 1000),
        unit: 'ms',
      },
      { figure: 'OPC UA lag source → edge, p50', value: Math.round(percentile(sortedLags, 50)), unit: 'ms' },
      { figure: 'OPC UA lag source → edge, p99', value: Math.round(percentile(sortedLags, 99)), unit: 'ms' },
      {
        figure: 'OPC UA edge RSS, max during the run',
        value: Math.round(rssMaxBytes / 1024 / 1024),
        unit: 'MB',
        target: '< 200',
      },
      {
        figure: 'OPC UA edge V8 heap at that moment, used / total',
        value: Math.round(atRssMax.heapUsed / 1024 / 1024),
        unit: `/ ${Math.round(atRssMax.heapTotal / 1024 / 1024)} MB`,
      },
      { figure: `OPC UA time to subscribe ${ITEMS} items`, value: Math.round(subscribeMs), unit: 'ms' },
    ];
    return {
      rows,
      figures: {
        opcua_samples_per_s: rows[0]?.value ?? 0,
        opcua_received_per_s: rows[1]?.value ?? 0,
        opcua_recorded_pct: rows[2]?.value ?? 0,
        opcua_window_ms: rows[3]?.value ?? 0,
        opcua_lag_p50_ms: rows[4]?.value ?? 0,
        opcua_lag_p99_ms: rows[5]?.value ?? 0,
        opcua_rss_mb: rows[6]?.value ?? 0,
        opcua_heap_used_mb: rows[7]?.value ?? 0,
        opcua_subscribe_ms: rows[8]?.value ?? 0,
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

type OpcuaBenchResult = Awaited<ReturnType<typeof runOpcuaBench>>;

/**
 * The same bench in a fresh process, so the RSS is that of a process doing only this edge work (not
 * holding what earlier sections of `pnpm bench:edge` left in the heap).
 */
export async function runOpcuaBenchInOwnProcess(seconds = 20): Promise<OpcuaBenchResult> {
  const child = spawn(
    process.execPath,
    [...EDGE_NODE_FLAGS, import.meta.filename, String(seconds), '--json'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const json = out.split('\n').find((line) => line.startsWith('{"rows"'));
  if (code !== 0 || !json) throw new Error(`OPC UA bench exited with ${code}`);
  return JSON.parse(json) as OpcuaBenchResult;
}

if (import.meta.main) {
  const result = await runOpcuaBench(Number(process.argv[2] ?? 20));
  if (process.argv.includes('--json')) console.log(JSON.stringify(result));
  else console.table(result.rows);
}
