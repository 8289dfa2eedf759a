// Authenticated list of 50 machines at 50 concurrent connections, and the cost of RLS on the same SQL.
// Run: pnpm bench:api [durationSeconds]   (DATABASE_URL defaults to the local PostgreSQL)

import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@unison/testkit';
import { type Database, openDatabase, type SqlSession } from '../cloud/src/db/client.ts';
import { withTenantStatement } from '../cloud/src/db/tenant.ts';
import { createCloud } from '../cloud/src/index.ts';
import { listMachines } from '../cloud/src/modules/machines/machines.repository.ts';

const root = join(import.meta.dirname, '..');
const serverUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const [mode, ...modeArgs] = process.argv.slice(2);
const durationMs = Number((mode?.startsWith('--') ? undefined : mode) ?? 10) * 1000;
const CONCURRENCY = 50;
const MACHINES = 50;
const WARMUP_MS = 2_000;
// The RLS comparison alternates app role and owner in rounds of this length and takes the median ratio.
const SQL_ROUNDS = 4;
const TARGETS = { requestsPerSecond: 3000, p99Ms: 50, rlsCostPct: 15 };

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
// What bounds the figures on this box; measured separately (see the commands), kept with the results.
const NOTES = [
  'What a request costs now: one round trip to PostgreSQL. The tenant setup (app role and settings, transaction-local,',
  'as parameters of one fixed statement) and the page statement are both prepared once per connection and go as one',
  'extended-protocol message (Bind and Execute for each, one Sync), so they run as one implicit transaction and nothing',
  'is parsed or planned per request. The database builds the page as JSON text by concatenation, with the latest values',
  "of the page's machines gathered in one pass; the server sends it as is. The caller's permissions are looked up once",
  'and reused for up to 2 s (a write through the permission guard in the same process drops them all); verified access',
  'tokens are kept until they expire; GET requests skip the body-size check (they carry no body).',
  'Before (setup and `EXECUTE` as one simple-protocol message parsed and planned each time, `row_to_json` per machine,',
  'latest values looked up machine by machine, a fetch Request built for the body check), measured back to back with',
  'the current code on the same shared box (1-minute load 2.5–3.2, 8 s runs): 2,376–2,505 vs 3,324–3,567 requests/s,',
  'p99 45–52 vs 36–37 ms; CPU per request, server 207–221 vs 137–142 µs and PostgreSQL 376–387 vs 252–281 µs. Earlier',
  'still, 4 round trips (permission lookup, BEGIN with the tenant context, list, COMMIT) cost 750–930 µs of server CPU',
  'per request.',
  'CPU per request is what the server process and the PostgreSQL backends of the throwaway database used during the',
  'HTTP run, divided by the requests answered; it moves much less than requests/s when other work shares the box.',
  '',
];
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

/** The load generator in its own process, so the figure is the server's and not a shared event loop's. */
function loadInChildProcess(url: string, token: string, forMs: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [import.meta.filename, '--load', url, token, String(forMs)],
      { maxBuffer: 256 * 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as LoadResult)),
    );
  });
}

/** The same bytes from a bare node:http server in another process: what HTTP alone reaches on this box. */
async function bareHttpCeiling(body: string, forMs: number): Promise<LoadResult> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    return await loadInChildProcess(`http://127.0.0.1:${port}/`, 'none', forMs);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** The backends serving the database `db` is connected to (the server's pool among them). */
async function backendPids(db: Database): Promise<number[]> {
  const rows = await db.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  return rows.map((row) => row.pid);
}

const CLOCK_TICKS_PER_SECOND =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time the processes have used so far (user + system), from /proc: PostgreSQL runs on this box. */
function backendCpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // A backend that ended took its CPU time with it.
    }
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

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
    ownerDb = await openDatabase({ databaseUrl: database.url });
    await loadInChildProcess(listUrl, accessToken, WARMUP_MS);
    const backends = await backendPids(ownerDb);
    const postgresCpuBefore = backendCpuMs(backends);
    const serverCpuBefore = process.cpuUsage();
    const http = await loadInChildProcess(listUrl, accessToken, durationMs);
    const serverCpu = process.cpuUsage(serverCpuBefore);
    const postgresCpuMs = backendCpuMs(backends) - postgresCpuBefore;
    const sorted = http.latenciesMs.sort((a, b) => a - b);
    const requestsPerSecond = http.requests / http.seconds;
    const body = await (await fetch(listUrl, { headers: { authorization: `Bearer ${accessToken}` } })).text();
    const bare = await bareHttpCeiling(body, durationMs / 2);

    // Same SQL, same round trips, same pool: as the app role under RLS, and as the owner with RLS off.
    const query = { limit: 50 };
    const context = { organizationId: org.organizationId, plantIds: 'all' } as const;
    const asApp = () => withTenantStatement(ownerDb!, context, (tx) => listMachines(tx, query));
    const ownerSetup = `SELECT set_config('row_security', 'off', true), set_config('app.org_id', '${org.organizationId}', true),
      set_config('app.plant_id', '', true), set_config('app.plant_ids', '*', true),
      set_config('app.actor_type', 'system', true), set_config('app.actor_id', '', true)`;
    // The same single round trip as the app side, with the owner's setup in place of the tenant's.
    const ownerSession: SqlSession = {
      query: (text, params) => ownerDb!.queryAfter(ownerSetup, text, params),
      exec: () => Promise.reject(new Error('one statement only')),
      orm: () => {
        throw new Error('one statement only');
      },
    };
    const asOwner = () => listMachines(ownerSession, query);
    for (const side of [asApp, asOwner]) {
      const { itemsJson } = await side();
      const seen = (JSON.parse(itemsJson) as unknown[]).length;
      if (seen !== MACHINES) throw new Error(`saw ${seen} machines`);
    }
    const roundMs = durationMs / SQL_ROUNDS;
    console.log(
      `SQL: the list query, ${CONCURRENCY} callers, ${SQL_ROUNDS} × ${roundMs / 1000} s each way, interleaved`,
    );
    await sqlLoad(asApp, CONCURRENCY, WARMUP_MS / 2);
    await sqlLoad(asOwner, CONCURRENCY, WARMUP_MS / 2);
    const appRounds: number[] = [];
    const ownerRounds: number[] = [];
    const ratios: number[] = [];
    for (let roundIndex = 0; roundIndex < SQL_ROUNDS; roundIndex++) {
      // A/B then B/A, so a drift in the box's load falls on both sides alike.
      const order = roundIndex % 2 === 0 ? [asApp, asOwner] : [asOwner, asApp];
      const figures = new Map<unknown, number>();
      for (const side of order) figures.set(side, await sqlLoad(side, CONCURRENCY, roundMs));
      appRounds.push(figures.get(asApp)!);
      ownerRounds.push(figures.get(asOwner)!);
      ratios.push(figures.get(asApp)! / figures.get(asOwner)!);
    }
    const rlsPerSecond = median(appRounds);
    const ownerPerSecond = median(ownerRounds);
    const rlsCostPct = (1 - median(ratios)) * 100;

    const results = {
      requests_per_s: round(requestsPerSecond, 0),
      p50_ms: round(percentile(sorted, 50)),
      p99_ms: round(percentile(sorted, 99)),
      errors: http.errors,
      sql_rls_per_s: round(rlsPerSecond, 0),
      sql_owner_rls_off_per_s: round(ownerPerSecond, 0),
      rls_cost_pct: round(rlsCostPct, 1),
      bare_http_requests_per_s: round(bare.requests / bare.seconds, 0),
      server_cpu_us_per_request: round((serverCpu.user + serverCpu.system) / http.requests || 0, 0),
      postgres_cpu_us_per_request: round((postgresCpuMs * 1000) / http.requests || 0, 0),
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
      ['server CPU per request', `${results.server_cpu_us_per_request} µs`, '—', ''],
      ['PostgreSQL CPU per request', `${results.postgres_cpu_us_per_request} µs`, '—', ''],
      ['bare node:http, same bytes (ceiling here)', `${results.bare_http_requests_per_s}/s`, '—', ''],
      ['SQL under RLS (app role), median', `${results.sql_rls_per_s}/s`, '—', ''],
      ['SQL as owner, RLS off, median', `${results.sql_owner_rls_off_per_s}/s`, '—', ''],
      [
        'RLS cost (median of paired rounds)',
        `${results.rls_cost_pct} %`,
        `≤ ${TARGETS.rlsCostPct} %`,
        verdict(rlsCostPct <= TARGETS.rlsCostPct),
      ],
    ];
    console.log();
    console.table(rows.map(([figure, result, target, status]) => ({ figure, result, target, status })));
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'api.json'), `${JSON.stringify(results, null, 2)}\n`);
    const [{ server_version: postgresVersion }] = (await ownerDb.query<{ server_version: string }>(
      'show server_version',
    )) as [{ server_version: string }];
    writeResultsSection(rows, `PostgreSQL ${postgresVersion.split(' ')[0]}`, NOTES);
  } finally {
    await ownerDb?.close();
    await cloud.close();
    await database.drop();
  }
}

function writeResultsSection(rows: string[][], postgresVersion: string, notes: string[]) {
  const file = join(root, 'bench', 'RESULTS.md');
  const cpuModel =
    /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  const section = [
    '## api — `pnpm bench:api`',
    '',
    `An authenticated \`GET /api/v1/machines?limit=50\` (50 machines, no values recorded yet) at ${CONCURRENCY}`,
    `concurrent keep-alive connections for ${durationMs / 1000} s after a 2 s warm-up, against the real HTTP server on`,
    'PostgreSQL on the same box (a throwaway database). The load generator (node:http, keep-alive) runs in',
    'its own process; the server gets one process, as in production. The bare node:http row serves the same',
    'response bytes with no work at all, measured the same way: the ceiling of HTTP plus load generator here.',
    `RLS cost: the same page SQL (same prepared statement, same single round trip) driven by ${CONCURRENCY} callers through a`,
    `10-connection pool, as the app role inside the tenant context (RLS on) and as the table owner with`,
    `\`row_security = off\`, in ${SQL_ROUNDS} interleaved rounds (A/B, B/A, …); the cost is the median of the paired ratios.`,
    '',
    '| figure | result | target | |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    `Machine: ${cpus().length} vCPU (${cpuModel}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node.js ${process.versions.node},`,
    `${postgresVersion} on the same box;`,
    `1-minute load average when the run ended: ${loadavg()[0]!.toFixed(1)} (other work on the box lowers every figure).`,
    '',
    ...notes,
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

if (mode === '--load') {
  const [url, token, forMs] = modeArgs as [string, string, string];
  process.stdout.write(JSON.stringify(await httpLoad(url, token, CONCURRENCY, Number(forMs))));
} else {
  await main();
}
