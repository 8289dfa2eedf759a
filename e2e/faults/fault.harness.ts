import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type Cloud, createCloud } from '@unison/cloud';
import { PlantConfig } from '@unison/config';
import { createTestDatabase, type DatabaseBackend, waitFor } from '@unison/testkit';
import { expect } from 'vitest';
import { openEdgeDatabase } from '../../edge/src/store/sqlite.ts';
import { startTcpProxy, type TcpProxyOptions } from './tcp.proxy.ts';

export interface Organization {
  organizationId: string;
  plantId: string;
}

/** A real cloud on a free port with two organizations: the plant under test and a bystander. */
export async function startFaultCloud(backend: DatabaseBackend) {
  let drop: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  if (backend.kind === 'postgres') {
    const database = await createTestDatabase(backend.serverUrl);
    databaseUrl = database.url;
    drop = database.drop;
  }
  const cloud = await createCloud({ databaseUrl, log: false });
  const { url } = await cloud.listen({ port: 0, host: '127.0.0.1' });
  const { org, other } = await createFaultOrganizations(cloud);
  return {
    cloud,
    url,
    org,
    other,
    enrollmentCode: async () => (await cloud.admin.createEnrollmentCode(org)).code,
    close: async () => {
      await cloud.close();
      await drop?.();
    },
  };
}

async function createFaultOrganizations(cloud: Cloud) {
  const suffix = randomUUID().slice(0, 8);
  const org = await cloud.admin.createOrganization({
    name: `Plant under test ${suffix}`,
    plant: { code: 'faults', name: 'Faults plant' },
    admin: { email: `admin-${suffix}@faults.example` },
  });
  const other = await cloud.admin.createOrganization({
    name: `Bystander ${suffix}`,
    plant: { code: 'faults', name: 'Bystander plant' },
    admin: { email: `admin-${suffix}@bystander.example` },
  });
  return { org, other };
}

/**
 * A cloud database that outlives cloud processes (a PGlite directory under `dir`, or a fresh
 * PostgreSQL database), migrated and seeded with the two organizations and an enrollment code.
 */
export async function faultDatabase(serverUrl: string | undefined, dir: string) {
  const created = serverUrl ? await createTestDatabase(serverUrl) : undefined;
  const location = { databaseUrl: created?.url, dataDir: created ? undefined : join(dir, 'cloud-db') };
  const seeding = await createCloud({ ...location, log: false });
  try {
    const { org, other } = await createFaultOrganizations(seeding);
    const { code } = await seeding.admin.createEnrollmentCode(org);
    return {
      ...location,
      org,
      other,
      enrollmentCode: code,
      /** The database in this process, to verify with; on PGlite no cloud process may run meanwhile. */
      open: async () => ({ cloud: await createCloud({ ...location, log: false }), org, other }),
      drop: async () => created?.drop(),
    };
  } finally {
    await seeding.close();
  }
}

export type FaultDatabase = Awaited<ReturnType<typeof faultDatabase>>;

export type FaultCloud = Awaited<ReturnType<typeof startFaultCloud>>;

/** A fault cloud with a TCP proxy in front of it; `close` stops both. */
export async function startProxiedFaultCloud(
  backend: DatabaseBackend,
  proxyOptions: Omit<TcpProxyOptions, 'target'> = {},
) {
  const faultCloud = await startFaultCloud(backend);
  const target = new URL(faultCloud.url);
  const proxy = await startTcpProxy({
    target: { host: target.hostname, port: Number(target.port) },
    ...proxyOptions,
  });
  return {
    faultCloud,
    proxy,
    close: async () => {
      await proxy.stop();
      await faultCloud.close();
    },
  };
}

/** An edge config with no connectors: the load comes straight into the recorder. */
export function faultEdgeConfig({
  dataDir,
  cloudUrl,
  enrollmentCode,
  maxBufferBytes,
  batchSize = 200,
}: {
  dataDir: string;
  cloudUrl: string;
  enrollmentCode: string;
  maxBufferBytes?: number;
  batchSize?: number;
}): PlantConfig {
  return PlantConfig.parse({
    edge: {
      name: 'faults-edge',
      plant: 'faults',
      dataDir,
      http: { host: '127.0.0.1', port: 0 },
      ...(maxBufferBytes ? { buffer: { maxBytes: maxBufferBytes } } : {}),
    },
    cloud: { url: cloudUrl, enrollmentCode, batchSize, uploadIntervalMs: 50 },
    machines: [{ id: 'press-1', name: 'Press 1' }],
  });
}

/**
 * What an edge database holds, in the order it was produced. Events by id; samples by `sampleKey`,
 * since the edge keeps a sample's id only until the cloud acknowledged it.
 */
export function readLedger(file: string) {
  const database = openEdgeDatabase(file);
  try {
    const { sqlite } = database;
    const tables = new Set(
      (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (r) => r.name,
      ),
    );
    // The rowid is insertion order.
    const samplesTable = tables.has('sample_points') ? 'sample_points' : 'samples';
    const samples = (
      sqlite.prepare(`SELECT ts_ms, value FROM ${samplesTable} ORDER BY rowid`).all() as {
        ts_ms: number;
        value: string;
      }[]
    ).map((r) => sampleKey(r.ts_ms, JSON.parse(r.value)));
    const events = (sqlite.prepare('SELECT id FROM events ORDER BY rowid').all() as { id: string }[]).map(
      (r) => r.id,
    );
    const epoch = (
      sqlite.prepare("SELECT value FROM meta WHERE key = 'producer_epoch'").get() as { value: string }
    ).value;
    const backlog = (sqlite.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
    return { epoch, samples, events, backlog };
  } finally {
    database.close();
  }
}

/** A sample as both sides can name it: its time and value (the load never repeats a value within a tick). */
export const sampleKey = (tsMs: number, value: unknown) => `${tsMs}|${JSON.stringify(value)}`;

/** The key of a record as sent (a quarantined record's JSON): `sampleKey` for samples, the id for events. */
export function recordKey(stream: string, record: { id: string; ts?: string; value?: unknown }) {
  return stream === 'samples' ? sampleKey(Date.parse(record.ts!), record.value ?? null) : record.id;
}

export type Ledger = ReturnType<typeof readLedger>;

export interface CloudRow {
  id: string;
  /** What the edge's ledger names the record by: the id for events, `sampleKey` for samples. */
  key: string;
  seq: number;
  epoch: string;
  edge_id: string;
}

/** Samples as the app role reads them: it has no grant on the table, only on this tenant-filtering reader. */
export const SAMPLES = 'samples_read(null, null, null, null, null)';

/** The records the organization holds, per stream, ordered by edge, epoch and seq. */
export async function cloudRows(cloud: Cloud, organizationId: string) {
  const rows = async (table: string, key: string) =>
    (await cloud.queryAsTenant(
      organizationId,
      `select id::text, ${key} as key, seq::int, epoch::text, edge_id::text from ${table} order by edge_id, epoch, seq`,
    )) as unknown as CloudRow[];
  const samples = await rows(
    SAMPLES,
    `(extract(epoch from ts) * 1000)::bigint || '|' || coalesce(to_jsonb(value_num)::text, to_jsonb(value_text)::text, to_jsonb(value_bool)::text, 'null')`,
  );
  return {
    samples,
    events: await rows('events', 'id::text'),
    quarantine: await rows('sync_quarantine', "''"),
  };
}

/**
 * Exactly once and in order: per epoch, the cloud's records in seq order equal what the edge database
 * produced (minus the keys `except` names), no seq, id or key twice, seqs strictly increasing.
 */
export function expectExactlyOnceInOrder(
  rows: CloudRow[],
  ledgers: { epoch: string; ids: string[] }[],
  except = new Set<string>(),
) {
  expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  for (const { epoch, ids } of ledgers) {
    const ofEpoch = rows.filter((r) => r.epoch === epoch);
    const seqs = ofEpoch.map((r) => r.seq);
    expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!)).toBe(true);
    expect(ofEpoch.map((r) => r.key)).toEqual(ids.filter((id) => !except.has(id)));
  }
  expect(new Set(rows.map((r) => r.epoch))).toEqual(new Set(ledgers.map((l) => l.epoch)));
}

/** Nothing of the plant under test is visible to the bystander, and nothing of another plant got in. */
export async function expectIsolated(faultCloud: Pick<FaultCloud, 'cloud' | 'org' | 'other'>) {
  for (const table of [SAMPLES, 'events', 'sync_quarantine', 'edge_streams', 'machines']) {
    const [other] = await faultCloud.cloud.queryAsTenant(
      faultCloud.other.organizationId,
      `select count(*)::int as n from ${table}`,
    );
    expect({ table, rows: other?.n }).toEqual({ table, rows: 0 });
  }
  for (const table of [SAMPLES, 'events']) {
    const [foreign] = await faultCloud.cloud.queryAsTenant(
      faultCloud.org.organizationId,
      `select count(*)::int as n from ${table} where plant_id <> $1`,
      [faultCloud.org.plantId],
    );
    expect(foreign?.n).toBe(0);
  }
}

/** Waits until the edge has written all `producedSamples` to its store and the cloud acknowledged everything. */
export function drained(
  edge: {
    status(): {
      samples: { recorded: number };
      streams?: { samples: { backlog: number }; events: { backlog: number } };
    };
  },
  producedSamples: number,
  timeoutMs = 20_000,
) {
  return waitFor(
    () => {
      const { samples, streams } = edge.status();
      const empty = streams && streams.samples.backlog === 0 && streams.events.backlog === 0;
      return samples.recorded >= producedSamples && empty ? true : undefined;
    },
    { timeoutMs, what: 'everything recorded and delivered' },
  );
}
