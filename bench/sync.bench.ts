// `pnpm bench:sync`: an edge's 1,000,000-record samples backlog drained into a real cloud by the edge's
// real uplink; the same rows through the ingest's insert alone (the limit); already-acknowledged
// batches replayed; the downlink when the cloud serves its change feed. One table with targets, flat
// figures in bench/results/sync.json and the `## sync` section of bench/RESULTS.md.
// Options: --records N (default 1000000), --batch-size N (default 5000, the most a batch may carry);
// a shorter run leaves the published figures alone unless --save is given.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase, tempDir } from '@unison/testkit';
import { openDatabase } from '../cloud/src/db/client.ts';
import { MAX_BATCH_RECORDS, type UploadBatch } from '../packages/contracts/src/index.ts';
import { buildBacklog } from './sync/backlog.ts';
import { startCloudProcess } from './sync/cloud.process.ts';
import { measureDownlink } from './sync/downlink.ts';
import { drainBacklog, enroll, percentile, uplinkConfig } from './sync/drain.ts';
import { measureInsertLimit } from './sync/limit.ts';
import { replayDuplicates } from './sync/replay.ts';

const root = join(import.meta.dirname, '..');
const serverUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const { values: options } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    'batch-size': { type: 'string', default: String(MAX_BATCH_RECORDS) },
    save: { type: 'boolean', default: false },
  },
});
const TOTAL = Number(options.records);
const BATCH_SIZE = Number(options['batch-size']);
if (!Number.isSafeInteger(TOTAL) || TOTAL < 1) throw new Error(`--records must be a positive integer`);
if (!Number.isSafeInteger(BATCH_SIZE) || BATCH_SIZE < 1 || BATCH_SIZE > MAX_BATCH_RECORDS) {
  throw new Error(`--batch-size must be an integer from 1 to ${MAX_BATCH_RECORDS}`);
}
const DEFAULT_RECORDS = 1_000_000;
const SAVE = options.save || TOTAL >= DEFAULT_RECORDS;
// Uncompressed JSON a batch may carry: room for a full batch of samples (about 150 bytes each).
const BATCH_MAX_BYTES = 8 * 1024 ** 2;
// Already-acknowledged records sent again for the duplicate figure.
const REPLAY_RECORDS = Math.min(TOTAL, 250_000);
const SNAPSHOT_ROWS = 100_000;
const DOWNLINK_CHANGES = 50;
const TARGETS = {
  recordsPerSecond: 40_000,
  ratio: 0.5,
  duplicatesPerSecond: 100_000,
  snapshotSeconds: 30,
  changeP95Ms: 1000,
};
// Where a drain batch's time goes, measured apart: PostgreSQL's statement log of the cloud's
// connections, and the ingest's and uplink's steps timed on their own. Kept with the results because
// it says what bounds the drain/limit ratio.
const NOTES = [
  'Where one drain batch of 5,000 goes, measured apart. In PostgreSQL about 40 ms (statement log, load average',
  'about 3: bind 4 ms, the insert 32 ms, commit 3 ms), after the parameters are encoded in the cloud: the nine',
  "arrays go as array literals built directly, about 3 times faster than node-postgres's own array encoding",
  '(9 ms before). All of that is also in the limit. In the cloud outside the database: inflate, JSON and',
  'envelope validation, the edge assertion, and the check of each record, about 1.5 ms for 5,000 samples (plain',
  "samples take a quick path that accepts only what the contract's schema accepts; machines, tags and times",
  'repeat and are checked once each; the schema alone takes about 12 ms); the stream cursor is locked and read',
  'in one statement, and the batch is written without a savepoint (a batch the database refuses is written',
  'again record by record). At the edge, nothing but the send between an answer and the next request: while a',
  'batch is on its way, the uplink reads the next one from the outbox, builds its JSON from the stored record',
  'texts, gzips it (level 1: about 2 ms, against 5 ms at the default level, for an 11 % larger body) and signs',
  'its assertion; the acknowledged rows are deleted once the next batch has left. One batch is in flight at a',
  "time, so what the drain waits for per batch is the cloud's and the database's work on it.",
  '',
];
const UPLOAD_ROUTE = '/api/v1/sync/upload';
const PROGRESS_EVERY_MS = 3000;

interface Row {
  figure: string;
  result: string;
  target?: string;
  met?: boolean;
}

const count = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** p99 of the cloud's own upload request durations, as the bucket bound of its /metrics histogram. */
async function cloudSideP99Seconds(cloudUrl: string): Promise<number | undefined> {
  const text = await (await fetch(`${cloudUrl}/metrics`)).text();
  const prefix = `http_request_duration_seconds_bucket{method="POST",route="${UPLOAD_ROUTE}",status="200",le="`;
  const buckets = text
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => {
      const [bound, value] = line.slice(prefix.length).split('"} ');
      return { bound: bound === '+Inf' ? Number.POSITIVE_INFINITY : Number(bound), count: Number(value) };
    });
  const total = buckets.at(-1)?.count ?? 0;
  return buckets.find((bucket) => bucket.count >= total * 0.99)?.bound;
}

const loadAtStart = loadavg()[0]!;
const runStartedMs = performance.now();
/** Announces a phase with the time into the run. */
const phase = (text: string) =>
  console.log(`… [${((performance.now() - runStartedMs) / 1000).toFixed(0)} s] ${text}`);

async function main() {
  const started = new Date();
  const database = await createTestDatabase(serverUrl);
  const cloudProcess = startCloudProcess(database.url);
  const dir = tempDir('unison-bench-sync-');
  let owner: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let backlog: ReturnType<typeof buildBacklog> | undefined;
  try {
    const cloud = await cloudProcess.ready;
    phase(`the cloud is up at ${cloud.url}`);
    // The database owner: empties tables and counts rows past RLS.
    owner = await openDatabase({ databaseUrl: database.url, poolSize: 1 });
    phase(`building a ${count(TOTAL)}-record samples backlog in the edge's SQLite store`);
    backlog = buildBacklog(dir.path, TOTAL);
    console.log(
      `  ${count(backlog.buildRecordsPerSecond)} records/s, ${(backlog.bytes / 2 ** 20).toFixed(0)} MiB of outbox records`,
    );
    const config = uplinkConfig({
      dataDir: dir.path,
      cloudUrl: cloud.url,
      enrollmentCode: cloud.enrollmentCode,
      batchSize: BATCH_SIZE,
      batchMaxBytes: BATCH_MAX_BYTES,
    });
    const identity = await enroll(config);
    const edge = {
      edgeId: identity.edgeId,
      organizationId: identity.organizationId,
      plantId: identity.plantId,
    };
    // Kept before the drain empties the outbox: the batches replayed afterwards.
    const replayBatches: UploadBatch[] = [];
    for (let fromSeq = 1; fromSeq <= REPLAY_RECORDS; fromSeq += BATCH_SIZE) {
      replayBatches.push(backlog.batch(fromSeq, Math.min(REPLAY_RECORDS, fromSeq + BATCH_SIZE - 1)));
    }

    phase(`the limit: the same batches through insertSamples in tenant transactions (app role)`);
    const limit = await measureInsertLimit({
      databaseUrl: database.url,
      edge,
      backlog,
      total: TOTAL,
      batchSize: BATCH_SIZE,
      onProgress: (written, busyMs) =>
        console.log(
          `  limit: ${count(written)}/${count(TOTAL)} written, ${count(written / (busyMs / 1000))} records/s`,
        ),
    });
    // The drain writes the same ids into the same empty tables the limit started from.
    await owner.query('TRUNCATE samples, machine_latest');

    phase(`drain: the edge's uplink sends the backlog to the cloud (batches of ${BATCH_SIZE})`);
    const drain = await drainBacklog({ config, backlog, total: TOTAL, progressEveryMs: PROGRESS_EVERY_MS });
    const cloudP99Seconds = await cloudSideP99Seconds(cloud.url);
    const stored = async () =>
      (
        await owner!.query<{ rows: number; seqs: number; max_seq: number }>(
          'select count(*)::int as rows, count(distinct seq)::int as seqs, max(seq)::int as max_seq from samples where edge_id = $1 and epoch = $2',
          [identity.edgeId, backlog!.epoch],
        )
      )[0]!;
    phase('counting what the cloud holds');
    const afterDrain = await stored();
    const complete =
      afterDrain.rows === TOTAL &&
      afterDrain.seqs === TOTAL &&
      afterDrain.max_seq === TOTAL &&
      drain.outboxLeft === 0;
    if (!complete)
      console.error(`drain incomplete: ${JSON.stringify({ ...afterDrain, outboxLeft: drain.outboxLeft })}`);

    phase(`duplicate replays: ${count(REPLAY_RECORDS)} acknowledged records sent again`);
    const replay = await replayDuplicates({ cloudUrl: cloud.url, identity, batches: replayBatches });
    const afterReplay = await stored();
    const unchanged = afterReplay.rows === afterDrain.rows;

    phase(
      `downlink: a first snapshot of ${count(SNAPSHOT_ROWS)} materials, then ${DOWNLINK_CHANGES} machine renames`,
    );
    const notMeasured: string[] = [];
    const downlink = await measureDownlink({
      cloud,
      databaseUrl: database.url,
      identity,
      dataDir: dir.path,
      snapshotRows: SNAPSHOT_ROWS,
      changes: DOWNLINK_CHANGES,
      onProgress: console.log,
    }).catch((error: unknown) => {
      notMeasured.push(`Downlink not measured: ${error instanceof Error ? error.message : String(error)}.`);
      return undefined;
    });

    const ratio = drain.recordsPerSecond / limit.recordsPerSecond;
    const rows: Row[] = [
      {
        figure: `Backlog drain, edge uplink → cloud (${count(TOTAL)} records)`,
        result: `${count(drain.recordsPerSecond)} records/s`,
        target: `≥ ${count(TARGETS.recordsPerSecond)}`,
        met: drain.recordsPerSecond >= TARGETS.recordsPerSecond,
      },
      {
        figure: 'Drain time, first upload sent to last acknowledgement',
        result: `${drain.seconds.toFixed(1)} s`,
      },
      {
        figure: 'Batches / batch size',
        result: `${count(drain.batches)} / ${count(drain.largestBatch)} records`,
      },
      {
        figure: 'Upload round trip at the edge (request sent → answer), p50',
        result: ms(percentile(drain.requestMs, 50)),
      },
      {
        figure: 'Upload round trip at the edge (request sent → answer), p99: batch commit',
        result: ms(percentile(drain.requestMs, 99)),
      },
      {
        figure:
          'Edge time from an answer to the next send, p50 (the next batch is prepared during the upload)',
        result: ms(percentile(drain.edgeMs, 50)),
      },
      {
        figure: "Upload request time in the cloud, p99 (its /metrics histogram's bucket bound)",
        result: cloudP99Seconds === undefined ? 'n/a' : `≤ ${cloudP99Seconds * 1000} ms`,
      },
      {
        figure: `Progress reports (every ${PROGRESS_EVERY_MS / 1000} s) without a new acknowledgement`,
        result: `${drain.stalledReports} of ${drain.progressReports}`,
        target: '0',
        met: drain.stalledReports === 0,
      },
      {
        figure: 'Uploads refused or retried during the drain',
        result: count(drain.refusals),
        target: '0',
        met: drain.refusals === 0,
      },
      {
        figure: 'Every record in the cloud once, outbox empty',
        result: `${count(afterDrain.rows)} rows, ${count(afterDrain.seqs)} seqs`,
        target: count(TOTAL),
        met: complete,
      },
      {
        figure: 'Limit: the same batches through insertSamples, tenant transaction, app role',
        result: `${count(limit.recordsPerSecond)} records/s`,
      },
      { figure: 'Limit: transaction per batch, p99', result: ms(percentile(limit.transactionMs, 99)) },
      {
        figure: 'Drain / limit',
        result: ratio.toFixed(2),
        target: `≥ ${TARGETS.ratio}`,
        met: ratio >= TARGETS.ratio,
      },
      {
        figure: `Duplicate replays acknowledged without writing (${count(replay.records)} records)`,
        result: `${count(replay.recordsPerSecond)} records/s`,
        target: `≥ ${count(TARGETS.duplicatesPerSecond)}`,
        met: replay.recordsPerSecond >= TARGETS.duplicatesPerSecond,
      },
      {
        figure: 'Duplicate replays: share of the time in the request (sent → answer), the rest is the edge',
        result: `${Math.round((replay.requestMs.reduce((sum, one) => sum + one, 0) / 1000 / replay.seconds) * 100)} %`,
      },
      {
        figure: 'Rows in the cloud after the replays',
        result: count(afterReplay.rows),
        target: `${count(afterDrain.rows)} (unchanged)`,
        met: unchanged,
      },
      ...(downlink
        ? [
            {
              figure: `Downlink: first snapshot of ${count(downlink.snapshotRows)} rows into a fresh edge`,
              result: `${downlink.snapshotSeconds.toFixed(1)} s`,
              target: `< ${TARGETS.snapshotSeconds} s`,
              met: downlink.snapshotSeconds < TARGETS.snapshotSeconds,
            },
            {
              figure: `Downlink: a machine renamed through the API until the edge's replica shows it, p50 (${downlink.changes} renames)`,
              result: ms(downlink.p50Ms),
            },
            {
              figure: 'Downlink: the same, p95',
              result: ms(downlink.p95Ms),
              target: `< ${TARGETS.changeP95Ms} ms`,
              met: downlink.p95Ms < TARGETS.changeP95Ms,
            },
          ]
        : []),
      {
        figure: "Backlog build through the edge's samples store (SQLite)",
        result: `${count(backlog.buildRecordsPerSecond)} records/s`,
      },
    ];
    phase('verified; writing the results');
    const figures = {
      records: TOTAL,
      records_per_s: Math.round(drain.recordsPerSecond),
      drain_s: Number(drain.seconds.toFixed(2)),
      batches: drain.batches,
      batch_size: drain.largestBatch,
      p50_batch_round_trip_ms: Number(percentile(drain.requestMs, 50).toFixed(1)),
      p99_batch_round_trip_ms: Number(percentile(drain.requestMs, 99).toFixed(1)),
      edge_between_batches_p50_ms: Number(percentile(drain.edgeMs, 50).toFixed(1)),
      cloud_upload_p99_bucket_ms: cloudP99Seconds === undefined ? null : cloudP99Seconds * 1000,
      refusals: drain.refusals,
      progress_reports_without_ack: drain.stalledReports,
      limit_records_per_s: Math.round(limit.recordsPerSecond),
      limit_p99_transaction_ms: Number(percentile(limit.transactionMs, 99).toFixed(1)),
      drain_to_limit_ratio: Number(ratio.toFixed(3)),
      duplicate_records_per_s: Math.round(replay.recordsPerSecond),
      duplicate_p50_request_ms: Number(percentile(replay.requestMs, 50).toFixed(1)),
      rows_unchanged_by_replays: unchanged,
      backlog_build_records_per_s: Math.round(backlog.buildRecordsPerSecond),
      snapshot_rows: downlink?.snapshotRows ?? null,
      snapshot_s: downlink ? Number(downlink.snapshotSeconds.toFixed(2)) : null,
      change_visible_p50_ms: downlink ? Number(downlink.p50Ms.toFixed(1)) : null,
      change_visible_p95_ms: downlink ? Number(downlink.p95Ms.toFixed(1)) : null,
      load_average_1m_start: Number(loadAtStart.toFixed(2)),
      load_average_1m_end: Number(loadavg()[0]!.toFixed(2)),
    };
    console.log();
    console.table(
      rows.map((row) => ({
        figure: row.figure,
        result: row.result,
        target: row.target ?? '',
        '': verdict(row),
      })),
    );
    for (const line of notMeasured) console.log(line);
    const postgresVersion = (await owner.query<{ server_version: string }>('show server_version'))[0]!
      .server_version;
    if (SAVE) {
      mkdirSync(join(root, 'bench/results'), { recursive: true });
      writeFileSync(join(root, 'bench/results/sync.json'), `${JSON.stringify(figures, null, 2)}\n`);
      updateResults(resultsSection(rows, notMeasured, postgresVersion.split(' ')[0]!, started));
    } else {
      console.log(
        'a shorter run: bench/RESULTS.md and bench/results/sync.json left as they were (--save writes them)',
      );
    }
    console.log(
      `1-minute load average: ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end`,
    );
  } finally {
    phase('dropping the bench database');
    await owner?.close();
    await cloudProcess.stop();
    backlog?.database.close();
    dir.remove();
    await database.drop();
  }
}

const verdict = (row: Row) => (row.met === undefined ? '' : row.met ? 'met' : 'MISSED');

function resultsSection(rows: Row[], notMeasured: string[], postgresVersion: string, started: Date): string {
  const cpuModel =
    /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  const table = rows.map(
    (row) => `| ${row.figure} | ${row.result} | ${row.target ?? '—'} | ${verdict(row)} |`,
  );
  return `## sync — \`pnpm bench:sync\`

Backlog drain: an edge database holding ${count(TOTAL)} unsent samples (10 machines × 10 tags),
written through the edge's recorder and samples store so the outbox records are the edge's own; the
edge enrolls with a one-time code and its uplink drains the backlog into a real cloud (its own
process) on PostgreSQL (a throwaway database), in batches of up to ${count(BATCH_SIZE)}, gzip-compressed, one
batch in flight while the edge prepares the next. Records/s counts every record from the first upload
sent to the last acknowledgement. Batch commit time is the edge's round trip per upload (request sent to answer:
inflate, validation, the ingest transaction, loopback), because the cloud exposes only whole-request
durations, in coarse buckets (shown too). Limit: before the drain, the same records in the same
batches through the ingest's \`insertSamples\` in a tenant transaction as the app role, one after
the other, with no HTTP, JSON or uplink; the tables are emptied again before the drain. Duplicate
replays: ${count(REPLAY_RECORDS)} acknowledged records re-sent in their original batches (same epoch and
seqs) through the edge's cloud client with a fresh edge assertion each; every answer must
acknowledge the whole batch and write nothing. Downlink: ${count(SNAPSHOT_ROWS)} materials inserted as the
owner, then a fresh edge database whose downlink (the edge's own long-polling loop) takes its first
snapshot, timed from start until the snapshot reached the change log; then ${DOWNLINK_CHANGES} machine renames
through \`PATCH /api/v1/machines/{id}\`, each timed from the request sent until the edge's replica
shows the new name.

| figure | result | target | |
| --- | --- | --- | --- |
${table.join('\n')}

${notMeasured.length ? `${notMeasured.join('\n')}\n\n` : ''}Machine: ${cpus().length} vCPU (${cpuModel}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node.js ${process.versions.node},
PostgreSQL ${postgresVersion} on the same box (edge, cloud and database share the CPUs).
Measured ${started.toISOString().slice(0, 10)}; 1-minute load average when the run started: ${loadAtStart.toFixed(1)},
when it ended: ${loadavg()[0]!.toFixed(1)} (other work on the box lowers every figure).

${NOTES.join('\n')}
Command: \`pnpm bench:sync\` (PostgreSQL at \`DATABASE_URL\`, default \`postgresql://postgres@127.0.0.1:5432/postgres\`;
\`--records N\` for a shorter run).
`;
}

/** Replaces (or appends) the `## sync` section of RESULTS.md, keeping every other section. */
function updateResults(section: string) {
  const file = join(root, 'bench/RESULTS.md');
  const text = readFileSync(file, 'utf8');
  const start = text.search(/^## sync\b/m);
  if (start === -1) {
    writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const rest = text.slice(start + 1);
  const next = rest.search(/^## /m);
  const end = next === -1 ? text.length : start + 1 + next;
  writeFileSync(file, `${text.slice(0, start)}${section}${next === -1 ? '' : `\n${text.slice(end)}`}`);
}

await main();
