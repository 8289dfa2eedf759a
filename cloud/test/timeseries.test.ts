import type { UploadRecord } from '@unison/contracts';
import { createTestDatabase, databaseBackends } from '@unison/testkit';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, type SqlSession } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { type TenantContext, withAppRole, withOwnerInTenant, withTenant } from '../src/db/tenant.ts';
import type { EdgePrincipal } from '../src/http/env.ts';
import { insertSamples } from '../src/modules/ingest/ingest.repository.ts';

// samples has no RLS and no grant to the app role (TimescaleDB refuses RLS with compression and
// continuous aggregates); these tests prove the functions in its place keep tenants apart.

const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
const READ_ALL = 'select * from samples_read(null, null, null, null, null)';

interface Tenant {
  organizationId: string;
  plants: { plantId: string; machineId: string; edge: EdgePrincipal }[];
}

async function seedTenant(db: Database, name: string): Promise<Tenant> {
  const organizationId = uuidv7();
  const plants = [0, 1].map(() => ({ plantId: uuidv7(), machineId: uuidv7(), edgeId: uuidv7() }));
  await withOwnerInTenant(db, { organizationId }, async (tx) => {
    await tx.query('insert into organizations (id, name) values ($1, $2)', [organizationId, name]);
    for (const [index, plant] of plants.entries()) {
      await tx.query('insert into plants (id, org_id, code, name) values ($1, $2, $3, $3)', [
        plant.plantId,
        organizationId,
        `plant-${index}`,
      ]);
      await tx.query(
        `insert into machines (id, org_id, plant_id, code, name) values ($1, $2, $3, 'press-1', 'Press 1')`,
        [plant.machineId, organizationId, plant.plantId],
      );
      await tx.query(
        `insert into edges (id, org_id, plant_id, name, public_key) values ($1, $2, $3, 'edge', '{}')`,
        [plant.edgeId, organizationId, plant.plantId],
      );
    }
  });
  return {
    organizationId,
    plants: plants.map(({ plantId, machineId, edgeId }) => ({
      plantId,
      machineId,
      edge: { organizationId, plantId, edgeId },
    })),
  };
}

function record(seq: number, ts: string, tag: string, value: UploadRecord['value']): UploadRecord {
  return { seq, id: uuidv7(), machine: 'press-1', tag, ts, value, quality: 'good' };
}

const ingest = (db: Database, edge: EdgePrincipal, records: UploadRecord[], epoch = edge.edgeId) =>
  withTenant(db, edge, (tx) => insertSamples(tx, edge, epoch, records));

for (const backend of databaseBackends()) {
  describe(`time series [${backend.kind}]`, () => {
    let db: Database;
    let drop: (() => Promise<void>) | undefined;
    let timescale: boolean;
    let a: Tenant;
    let b: Tenant;
    const asTenant = <T>(context: TenantContext, work: (tx: SqlSession) => Promise<T>) =>
      withTenant(db, context, work);

    beforeAll(async () => {
      if (backend.kind === 'postgres') {
        const database = await createTestDatabase(backend.serverUrl);
        drop = database.drop;
        db = await openDatabase({ databaseUrl: database.url });
      } else {
        db = await openDatabase();
      }
      await migrate(db);
      const [extension] = await db.query(`select 1 from pg_extension where extname = 'timescaledb'`);
      timescale = extension !== undefined;
      a = await seedTenant(db, 'org a');
      b = await seedTenant(db, 'org b');
      // One sample per plant of A and of B, so every check below has something to leak.
      for (const [index, tenant] of [a, b].entries()) {
        for (const plant of tenant.plants) {
          const written = await ingest(db, plant.edge, [
            record(1, `2025-03-01T07:0${index}:00.000Z`, 'temperature', 20 + index),
          ]);
          expect(written).toBe(1);
        }
      }
    });
    afterAll(async () => {
      await db?.close();
      await drop?.();
    });

    it('gives the app role no privilege on samples, samples_1m or any part of them', async () => {
      const [grants] = await db.query<{ samples: boolean[]; samples_1m: boolean }>(
        `select array(select has_table_privilege($1, 'samples', p) from unnest($2::text[]) p) as samples,
                has_table_privilege($1, 'samples_1m', 'SELECT') as samples_1m`,
        [db.appRole, PRIVILEGES],
      );
      expect(grants).toEqual({ samples: PRIVILEGES.map(() => false), samples_1m: false });

      const parts = await db.query<{ part: string }>(
        timescale
          ? `select format('%I.%I', chunk_schema, chunk_name) as part from timescaledb_information.chunks
             where hypertable_schema = 'public' and hypertable_name = 'samples'
             union all
             select format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)
             from timescaledb_information.continuous_aggregates where view_name = 'samples_1m'`
          : `select i.inhrelid::regclass::text as part from pg_inherits i where i.inhparent = 'samples'::regclass`,
      );
      // With TimescaleDB the seeded samples live in chunks; without it samples has no children at all.
      if (timescale) expect(parts.length).toBeGreaterThan(1);
      else expect(parts).toEqual([]);
      for (const { part } of parts) {
        const [access] = await db.query<{ any: boolean }>(
          'select bool_or(has_table_privilege($1, $2::regclass, p)) as any from unnest($3::text[]) p',
          [db.appRole, part, PRIVILEGES],
        );
        expect({ part, any: access?.any }).toEqual({ part, any: false });
        await expect(
          asTenant({ organizationId: a.organizationId }, (tx) => tx.query(`select count(*) from ${part}`)),
        ).rejects.toThrow(/permission denied/);
      }

      const plant = a.plants[0]!;
      const statements: [string, unknown[]][] = [
        ['select count(*) from samples', []],
        ['select count(*) from samples_1m', []],
        [
          `insert into samples (id, org_id, plant_id, machine_id, edge_id, seq, tag, ts, quality)
           values ($1, $2, $3, $4, $5, 1, 'x', now(), 'good')`,
          [uuidv7(), a.organizationId, plant.plantId, plant.machineId, plant.edge.edgeId],
        ],
        ['update samples set value_num = 0 where org_id = $1', [a.organizationId]],
        ['delete from samples where org_id = $1', [a.organizationId]],
      ];
      for (const [text, params] of statements) {
        await expect(
          asTenant({ organizationId: a.organizationId }, (tx) => tx.query(text, params)),
          text,
        ).rejects.toThrow(/permission denied/);
      }
    });

    it('keeps every unique constraint of samples on its time column', async () => {
      const keys = await db.query<{ name: string; has_ts: boolean }>(
        `select c.conname as name,
                (select a.attnum from pg_attribute a where a.attrelid = c.conrelid and a.attname = 'ts') = any (c.conkey) as has_ts
         from pg_constraint c where c.conrelid = 'samples'::regclass and c.contype in ('p', 'u')`,
      );
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((key) => !key.has_ts)).toEqual([]);
    });

    it("reads the tenant's samples and buckets, none of another's, and nothing without a context", async () => {
      const readers = [READ_ALL, 'select * from samples_1m_read(null, null, null, null, null)'];
      for (const reader of readers) {
        const ofA = await asTenant({ organizationId: a.organizationId }, (tx) => tx.query(reader));
        expect(new Set(ofA.map((row) => row.org_id)), reader).toEqual(new Set([a.organizationId]));
        expect(new Set(ofA.map((row) => row.plant_id)), reader).toEqual(
          new Set(a.plants.map((plant) => plant.plantId)),
        );
        const ofB = await asTenant({ organizationId: b.organizationId }, (tx) => tx.query(reader));
        expect(
          ofB.some((row) => row.org_id === a.organizationId),
          reader,
        ).toBe(false);
        expect(ofB.length, reader).toBeGreaterThan(0);
        expect(await withAppRole(db, (tx) => tx.query(reader)), reader).toEqual([]);
        // A made-up organization sees nothing either.
        expect(await asTenant({ organizationId: uuidv7() }, (tx) => tx.query(reader)), reader).toEqual([]);
      }
    });

    it('confines a plant-scoped context to its plants, and an empty plant list to nothing', async () => {
      const [first, second] = a.plants;
      const scoped = await asTenant({ organizationId: a.organizationId, plantIds: [first!.plantId] }, (tx) =>
        tx.query<{ plant_id: string }>(READ_ALL),
      );
      expect(scoped.map((row) => row.plant_id)).toEqual([first!.plantId]);
      const buckets = await asTenant(
        { organizationId: a.organizationId, plantIds: [second!.plantId] },
        (tx) =>
          tx.query<{ plant_id: string }>(
            'select plant_id from samples_1m_read(null, null, null, null, null)',
          ),
      );
      expect(buckets.map((row) => row.plant_id)).toEqual([second!.plantId]);
      // Another organization's plant in the list opens nothing of it.
      const foreign = await asTenant({ organizationId: b.organizationId, plantIds: [first!.plantId] }, (tx) =>
        tx.query(READ_ALL),
      );
      expect(foreign).toEqual([]);
      const empty = await asTenant({ organizationId: a.organizationId }, async (tx) => {
        await tx.exec(`select set_config('app.plant_ids', '', true)`);
        return tx.query(READ_ALL);
      });
      expect(empty).toEqual([]);
    });

    it('filters by machine, tag and window, oldest first, and honours the limit', async () => {
      const plant = b.plants[1]!;
      const records = [1, 2, 3, 4].map((n) =>
        record(10 + n, `2025-03-02T10:00:0${n}.000Z`, n % 2 === 0 ? 'even' : 'odd', n),
      );
      expect(await ingest(db, plant.edge, records)).toBe(4);
      const read = (args: unknown[]) =>
        asTenant({ organizationId: b.organizationId }, (tx) =>
          tx.query<{ value_num: number }>('select value_num from samples_read($1, $2, $3, $4, $5)', args),
        );
      const values = async (args: unknown[]) => (await read(args)).map((row) => row.value_num);
      const from = '2025-03-02T10:00:00Z';
      const to = '2025-03-02T10:01:00Z';
      expect(await values([plant.machineId, null, from, to, null])).toEqual([1, 2, 3, 4]);
      expect(await values([plant.machineId, 'even', from, to, null])).toEqual([2, 4]);
      expect(
        await values([plant.machineId, null, '2025-03-02T10:00:02Z', '2025-03-02T10:00:04Z', null]),
      ).toEqual([2, 3]);
      expect(await values([plant.machineId, null, from, to, 3])).toEqual([1, 2, 3]);
      expect(await values([b.plants[0]!.machineId, null, from, to, null])).toEqual([]);
    });

    it('takes organization, plant and edge for written samples from the edge context only', async () => {
      const [plantA] = a.plants;
      const [plantB] = b.plants;
      const countOf = async (tenant: Tenant) =>
        (
          await asTenant({ organizationId: tenant.organizationId }, (tx) =>
            tx.query<{ n: number }>(
              `select count(*)::int as n from samples_read(null, null, null, null, null)`,
            ),
          )
        )[0]!.n;
      const before = { a: await countOf(a), b: await countOf(b) };
      const call = `select count(*)::int as n from ingest_samples(
          array[$1::uuid], array[1]::bigint[], array['press-1'], array['temperature'],
          array['2025-03-03T00:00:00Z']::timestamptz[], array[1.5]::float8[], array[null]::text[],
          array[null]::bool[], array['good'], $2::uuid)`;
      const attempt = (context: TenantContext) =>
        asTenant(context, (tx) => tx.query<{ n: number }>(call, [uuidv7(), uuidv7()]));

      await expect(withAppRole(db, (tx) => tx.query(call, [uuidv7(), uuidv7()]))).rejects.toThrow(
        /tenant context/,
      );
      // A user's context, and an edge claimed for a plant or organization it does not belong to.
      await expect(attempt({ organizationId: a.organizationId, plantId: plantA!.plantId })).rejects.toThrow(
        /tenant context/,
      );
      await expect(
        attempt({ organizationId: a.organizationId, plantId: plantA!.plantId, edgeId: plantB!.edge.edgeId }),
      ).rejects.toThrow(/tenant context/);
      await expect(
        attempt({ organizationId: b.organizationId, plantId: plantA!.plantId, edgeId: plantB!.edge.edgeId }),
      ).rejects.toThrow(/tenant context/);
      expect({ a: await countOf(a), b: await countOf(b) }).toEqual(before);

      // B's edge sends a record: however the caller labels it, it lands in B's plant, with B's edge.
      const [row] = await attempt(plantB!.edge);
      expect(row?.n).toBe(1);
      expect({ a: await countOf(a), b: await countOf(b) }).toEqual({ a: before.a, b: before.b + 1 });
      const [stored] = await asTenant({ organizationId: b.organizationId }, (tx) =>
        tx.query(`select org_id, plant_id, machine_id, edge_id from samples_read(null, null, $1, $2, null)`, [
          '2025-03-03T00:00:00Z',
          '2025-03-03T00:00:01Z',
        ]),
      );
      expect(stored).toEqual({
        org_id: b.organizationId,
        plant_id: plantB!.plantId,
        machine_id: plantB!.machineId,
        edge_id: plantB!.edge.edgeId,
      });

      // A's principal handed to the repository inside B's edge context: rows still go to B's plant
      // (and machine_latest, under RLS, refuses A's organization outright).
      await expect(
        withTenant(db, plantB!.edge, (tx) =>
          insertSamples(tx, plantA!.edge, uuidv7(), [record(2, '2025-03-03T00:00:02Z', 'pressure', 9)]),
        ),
      ).rejects.toThrow(/row-level security/);
      expect({ a: await countOf(a), b: await countOf(b) }).toEqual({ a: before.a, b: before.b + 1 });
    });

    it('writes a replayed batch once and moves machine_latest to the newest value', async () => {
      const plant = a.plants[1]!;
      const records = [
        record(20, '2025-03-04T06:00:00.000Z', 'speed', 100),
        record(21, '2025-03-04T06:00:01.000Z', 'speed', 110),
      ];
      expect(await ingest(db, plant.edge, records)).toBe(2);
      expect(await ingest(db, plant.edge, records)).toBe(0);
      const [latest] = await asTenant(plant.edge, (tx) =>
        tx.query(`select value_num from machine_latest where machine_id = $1 and tag = 'speed'`, [
          plant.machineId,
        ]),
      );
      expect(latest).toEqual({ value_num: 110 });
      const speeds = await asTenant({ organizationId: a.organizationId }, (tx) =>
        tx.query(`select value_num from samples_read($1, 'speed', null, null, null)`, [plant.machineId]),
      );
      expect(speeds).toEqual([{ value_num: 100 }, { value_num: 110 }]);
    });

    it('aggregates known samples into correct 1-minute buckets', async () => {
      const plant = a.plants[0]!;
      const at = (time: string) => `2025-03-05T08:${time}.000Z`;
      expect(
        await ingest(db, plant.edge, [
          record(30, at('00:10'), 'temperature', 1),
          record(31, at('00:20'), 'temperature', 3),
          record(32, at('00:50'), 'temperature', 2),
          record(33, at('01:05'), 'temperature', 5),
          record(34, at('00:30'), 'state', 'RUNNING'),
          record(35, at('00:40'), 'state', 'IDLE'),
          record(36, at('02:00'), 'temperature', 7),
        ]),
      ).toBe(7);
      const expected = [
        {
          bucket: at('00:00'),
          tag: 'state',
          sample_count: 2,
          num_min: null,
          num_max: null,
          num_avg: null,
          last_num: null,
          last_text: 'IDLE',
        },
        {
          bucket: at('00:00'),
          tag: 'temperature',
          sample_count: 3,
          num_min: 1,
          num_max: 3,
          num_avg: 2,
          last_num: 2,
          last_text: null,
        },
        {
          bucket: at('01:00'),
          tag: 'temperature',
          sample_count: 1,
          num_min: 5,
          num_max: 5,
          num_avg: 5,
          last_num: 5,
          last_text: null,
        },
      ];
      const columns = `bucket, tag, sample_count::int, num_min, num_max, num_avg, last_num, last_text`;
      const normalize = (rows: Record<string, unknown>[]) =>
        rows.map((row) => ({ ...row, bucket: (row.bucket as Date).toISOString() }));
      // Every bucket starting in [08:00:30 rounded down, 08:01:30), each over its whole minute.
      const read = await asTenant({ organizationId: a.organizationId }, (tx) =>
        tx.query(`select ${columns} from samples_1m_read($1, null, $2, $3, null)`, [
          plant.machineId,
          at('00:30'),
          at('01:30'),
        ]),
      );
      expect(normalize(read)).toEqual(expected);
      // The aggregate itself (read by its owner) holds the same buckets.
      const view = await db.query(
        `select ${columns} from samples_1m where machine_id = $1 and bucket >= $2 and bucket < $3
         order by bucket, tag`,
        [plant.machineId, at('00:00'), at('02:00')],
      );
      expect(normalize(view)).toEqual(expected);
      const limited = await asTenant({ organizationId: a.organizationId }, (tx) =>
        tx.query(`select tag from samples_1m_read($1, 'temperature', $2, $3, 1)`, [
          plant.machineId,
          at('00:00'),
          at('03:00'),
        ]),
      );
      expect(limited).toEqual([{ tag: 'temperature' }]);
    });
  });
}
