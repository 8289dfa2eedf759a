// Authenticated list of 50 machines at 50 concurrent connections, and the cost of RLS on the same SQL.
// Run: pnpm bench:api [durationSeconds]   (DATABASE_URL defaults to the local PostgreSQL)

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createTestDatabase } from '@unison/testkit';
import { type Database, openDatabase } from '../cloud/src/db/client.ts';
import { withTenant } from '../cloud/src/db/tenant.ts';
import { createCloud } from '../cloud/src/index.ts';
import { listMachines } from '../cloud/src/modules/machines/machines.repository.ts';

const root = join(import.meta.dirname, '..');
const serverUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const durationMs = Number(process.argv[2] ?? 10) * 1000;
const CONCURRENCY = 50;
const MACHINES = 50;
const WARMUP_MS = 2_000;
const TARGETS = { requestsPerSecond: 3000, p99Ms: 50, rlsCostPct: 15 };

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

/** Keeps `concurrency` requests in flight over keep-alive connections until the deadline. */
async function httpLoad(url: string, token: string, concurrency: number, forMs: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const latenciesMs: number[] = [];
  let errors = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      const startedMs = performance.now();
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          agent,
          headers: { authorization: `Bearer ${token}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latenciesMs.push(performance.now() - startedMs);
            else errors += 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end();
    });
  const startedMs = performance.now();
  const deadline = startedMs + forMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await once();
    }),
  );
  const seconds = (performance.now() - startedMs) / 1000;
  agent.destroy();
  return { requests: latenciesMs.length, errors, seconds, latenciesMs };
}

/** The same work from `concurrency` callers sharing the pool, until the deadline. */
async function sqlLoad(work: () => Promise<unknown>, concurrency: number, forMs: number) {
  let done = 0;
  const startedMs = performance.now();
  const deadline = startedMs + forMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await work();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - startedMs) / 1000);
}

async function inWorker(url: string, token: string): Promise<LoadResult> {
  // The load generator gets its own thread so it does not steal the server's event loop.
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { url, token },
    argv: process.argv.slice(2),
  });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function main() {
  const database = await createTestDatabase(serverUrl);
  const cloud = await createCloud({ databaseUrl: database.url, log: false });
  let ownerDb: Database | undefined;
  try {
    const org = await cloud.admin.createOrganization({
      name: 'Bench',
      plant: { code: 'main', name: 'Main' },
      admin: { email: 'bench@bench.example' },
    });
    const { url } = await cloud.listen({ port: 0 });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: org.admin.email, password: org.admin.password }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    for (let index = 1; index <= MACHINES; index++) {
      const created = await fetch(`${url}/api/v1/machines`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({
          plantId: org.plantId,
          code: `m-${String(index).padStart(3, '0')}`,
          name: `Machine ${index}`,
        }),
      });
      if (created.status !== 201)
        throw new Error(`seeding failed: ${created.status} ${await created.text()}`);
    }
    const listUrl = `${url}/api/v1/machines?limit=50`;
    const check = (await (
      await fetch(listUrl, { headers: { authorization: `Bearer ${accessToken}` } })
    ).json()) as {
      items: unknown[];
    };
    if (check.items.length !== MACHINES)
      throw new Error(`expected ${MACHINES} machines, got ${check.items.length}`);

    console.log(
      `HTTP: GET /api/v1/machines?limit=50, ${CONCURRENCY} connections, ${durationMs / 1000} s (+ warm-up)`,
    );
    const http = await inWorker(listUrl, accessToken);
    const sorted = http.latenciesMs.sort((a, b) => a - b);
    const requestsPerSecond = http.requests / http.seconds;

    // Same SQL through the same kind of pool: as the app role under RLS, and as the owner with RLS off.
    ownerDb = await openDatabase({ databaseUrl: database.url });
    const query = { limit: 50 };
    const asApp = () =>
      withTenant(ownerDb!, { organizationId: org.organizationId }, (tx) => listMachines(tx, query));
    const asOwner = () =>
      ownerDb!.transaction(async (tx) => {
        await tx.exec('SET LOCAL row_security = off');
        return listMachines(tx, query);
      });
    const sample = await asOwner();
    if (sample.length !== MACHINES) throw new Error(`owner query saw ${sample.length} machines`);
    console.log(`SQL: the list query, ${CONCURRENCY} callers, ${durationMs / 1000} s each way`);
    await sqlLoad(asApp, CONCURRENCY, WARMUP_MS);
    const rlsPerSecond = await sqlLoad(asApp, CONCURRENCY, durationMs);
    await sqlLoad(asOwner, CONCURRENCY, WARMUP_MS);
    const ownerPerSecond = await sqlLoad(asOwner, CONCURRENCY, durationMs);
    const rlsCostPct = (1 - rlsPerSecond / ownerPerSecond) * 100;

    const results = {
      requests_per_s: round(requestsPerSecond, 0),
      p50_ms: round(percentile(sorted, 50)),
      p99_ms: round(percentile(sorted, 99)),
      errors: http.errors,
      sql_rls_per_s: round(rlsPerSecond, 0),
      sql_owner_rls_off_per_s: round(ownerPerSecond, 0),
      rls_cost_pct: round(rlsCostPct, 1),
    };
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const rows = [
      [
        'requests/s',
        String(results.requests_per_s),
        `≥ ${TARGETS.requestsPerSecond}`,
        verdict(requestsPerSecond >= TARGETS.requestsPerSecond),
      ],
      ['p50', `${results.p50_ms} ms`, '—', ''],
      ['p99', `${results.p99_ms} ms`, `< ${TARGETS.p99Ms} ms`, verdict(results.p99_ms < TARGETS.p99Ms)],
      ['errors', String(results.errors), '0', verdict(results.errors === 0)],
      ['SQL under RLS (app role)', `${results.sql_rls_per_s}/s`, '—', ''],
      ['SQL as owner, RLS off', `${results.sql_owner_rls_off_per_s}/s`, '—', ''],
      [
        'RLS cost',
        `${results.rls_cost_pct} %`,
        `≤ ${TARGETS.rlsCostPct} %`,
        verdict(rlsCostPct <= TARGETS.rlsCostPct),
      ],
    ];
    console.log();
    console.table(rows.map(([figure, result, target, status]) => ({ figure, result, target, status })));
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(
      join(root, 'bench', 'results', 'api.json'),
      `${JSON.stringify({ requests_per_s: results.requests_per_s, p99_ms: results.p99_ms, rls_cost_pct: results.rls_cost_pct }, null, 2)}\n`,
    );
    writeResultsSection(rows);
  } finally {
    await ownerDb?.close();
    await cloud.close();
    await database.drop();
  }
}

function writeResultsSection(rows: string[][]) {
  const file = join(root, 'bench', 'RESULTS.md');
  const cpuModel =
    /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  const section = [
    '## api — `pnpm bench:api`',
    '',
    `An authenticated \`GET /api/v1/machines?limit=50\` (50 machines with their latest values) at ${CONCURRENCY}`,
    'concurrent keep-alive connections for 10 s after a 2 s warm-up, against the real HTTP server on',
    'PostgreSQL on the same box (a throwaway database). The load generator runs in a worker thread of the',
    'same process. RLS cost: the same list SQL driven by 50 callers through a 10-connection pool, once as the',
    'app role inside the tenant context (RLS on) and once as the table owner with `row_security = off`.',
    '',
    '| figure | result | target | |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    `Machine: ${cpus().length} vCPU (${cpuModel}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node.js ${process.versions.node};`,
    `1-minute load average when the run ended: ${loadavg()[0]!.toFixed(1)} (other work on the box lowers every figure).`,
    '',
    'Command: `pnpm bench:api` (PostgreSQL at `DATABASE_URL`, default `postgresql://postgres@127.0.0.1:5432/postgres`).',
    '',
  ].join('\n');
  let text = readFileSync(file, 'utf8');
  const start = text.indexOf('## api — ');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : '');
  } else {
    text = `${text.trimEnd()}\n\n${section}`;
  }
  writeFileSync(file, text);
}

if (isMainThread) {
  await main();
} else {
  const { url, token } = workerData as { url: string; token: string };
  await httpLoad(url, token, CONCURRENCY, WARMUP_MS);
  parentPort!.postMessage(await httpLoad(url, token, CONCURRENCY, durationMs));
}
