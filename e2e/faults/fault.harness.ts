import { randomUUID } from 'node:crypto';
import { type Cloud, createCloud } from '@unison/cloud';
import { PlantConfig } from '@unison/config';
import { createTestDatabase, type DatabaseBackend, waitFor } from '@unison/testkit';
import { expect } from 'vitest';
import { openEdgeDatabase } from '../../edge/src/store/sqlite.ts';

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

export type FaultCloud = Awaited<ReturnType<typeof startFaultCloud>>;

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

/** What an edge database holds, in the order it was produced (rowid order is insertion order). */
export function readLedger(file: string) {
  const database = openEdgeDatabase(file);
  try {
    const { sqlite } = database;
    const ids = (table: string) =>
      (sqlite.prepare(`SELECT id FROM ${table} ORDER BY rowid`).all() as { id: string }[]).map((r) => r.id);
    const epoch = (
      sqlite.prepare("SELECT value FROM meta WHERE key = 'producer_epoch'").get() as { value: string }
    ).value;
    const backlog = (sqlite.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
    return { epoch, samples: ids('samples'), events: ids('events'), backlog };
  } finally {
    database.close();
  }
}

export type Ledger = ReturnType<typeof readLedger>;

export interface CloudRow {
  id: string;
  seq: number;
  epoch: string;
  edge_id: string;
}

/** The records the organization holds, per stream, ordered by edge, epoch and seq. */
export async function cloudRows(cloud: Cloud, organizationId: string) {
  const rows = (table: string) =>
    cloud.queryAsTenant(
      organizationId,
      `select id::text, seq::int, epoch::text, edge_id::text from ${table} order by edge_id, epoch, seq`,
    ) as Promise<unknown> as Promise<CloudRow[]>;
  return {
    samples: await rows('samples'),
    events: await rows('events'),
    quarantine: await rows('sync_quarantine'),
  };
}

/**
 * Exactly once and in order: per epoch, the cloud's ids in seq order equal what the edge database
 * produced (minus what `except` names), no seq or id twice, seqs strictly increasing.
 */
export function expectExactlyOnceInOrder(
  rows: CloudRow[],
  ledgers: { epoch: string; ids: string[] }[],
  except = new Set<string>(),
) {
  expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  for (const { epoch, ids } of ledgers) {
    const ofEpoch = rows.filter((r) => r.epoch === epoch);
    const seqs = ofEpoch.map((r) => r.seq);
    expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!)).toBe(true);
    expect(ofEpoch.map((r) => r.id)).toEqual(ids.filter((id) => !except.has(id)));
  }
  expect(new Set(rows.map((r) => r.epoch))).toEqual(new Set(ledgers.map((l) => l.epoch)));
}

/** Nothing of the plant under test is visible to the bystander, and nothing of another plant got in. */
export async function expectIsolated(faultCloud: FaultCloud) {
  for (const table of ['samples', 'events', 'sync_quarantine', 'edge_streams', 'machines']) {
    const [other] = await faultCloud.cloud.queryAsTenant(
      faultCloud.other.organizationId,
      `select count(*)::int as n from ${table}`,
    );
    expect({ table, rows: other?.n }).toEqual({ table, rows: 0 });
  }
  for (const table of ['samples', 'events']) {
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
