import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  batchOf,
  countRows,
  createModeledOrg,
  createOrgWithToken,
  createPlanningObjects,
  describeEachBackend,
  enrollEdge,
  makeRecords,
  SAMPLES,
  upload,
} from './helpers.ts';

const NO_TENANT = '';

/** Tables that hold no tenant data, each with the reason; every other table must be guarded by RLS. */
const NON_TENANT_TABLES: Record<string, string> = {
  schema_migrations: 'migration bookkeeping; no grant to the app role',
  signing_keys: "the cloud's own token-signing keys; no grant to the app role",
  platform_admins: 'platform operators, not members of any tenant; no grant to the app role',
  login_throttle: 'failed-login counters keyed by email and address; no grant to the app role',
};

/** Tables with plant_id that are not plant data themselves, each with the reason. */
const NOT_PLANT_SCOPED: Record<string, string> = {
  user_plant_access: 'the access rules themselves, managed by users:admin across plants',
};

/** Tenant tables written too often, or too mechanically, to audit row by row, each with the reason. */
const NOT_AUDITED: Record<string, string> = {
  samples: 'high-volume telemetry',
  machine_latest: 'derived from samples on every upload',
  edge_streams: 'sync cursors moved on every upload',
  edge_assertion_jtis: 'replay-protection bookkeeping on every edge request',
  refresh_tokens: 'rotated on every refresh; sessions, not records',
  events: 'high-volume edge events (state changes, counts, scans), append-only like samples',
  sync_quarantine: 'records an upload could not accept, kept verbatim for inspection',
  audit_log: 'the log itself',
  change_log: 'which replicated row changed, written by trigger beside the audited change itself',
  change_versions: 'the change-log version counter, moved by every replicated change',
};

/** Tenant tables the app role has no grant on, with the definer function that reads them in its place. */
const READERS: Record<string, string> = { samples: SAMPLES };

describeEachBackend('tenancy', (cloud) => {
  const tables = async () =>
    (await cloud().queryAsTenant(
      NO_TENANT,
      `select c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
              pg_get_userbyid(c.relowner) as owner,
              exists (select 1 from pg_attribute a
                      where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped) as has_org_id,
              exists (select 1 from pg_attribute a
                      where a.attrelid = c.oid and a.attname = 'plant_id' and not a.attisdropped) as has_plant_id,
              exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgname = 'audit') as audited,
              (select coalesce(json_agg(json_build_object('name', p.policyname, 'cmd', p.cmd,
                                                          'qual', p.qual, 'check', p.with_check)), '[]')
               from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname) as policies,
              array(select p from unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE',
                                               'REFERENCES', 'TRIGGER']) p
                    where has_table_privilege(current_user, c.oid, p)) as privileges
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p')
       order by c.relname`,
    )) as {
      name: string;
      enabled: boolean;
      forced: boolean;
      owner: string;
      has_org_id: boolean;
      has_plant_id: boolean;
      audited: boolean;
      policies: { name: string; cmd: string; qual: string | null; check: string | null }[];
      /** The app role's (the query runs as it). */
      privileges: string[];
    }[];

  const tenantTables = async () => (await tables()).filter((table) => !(table.name in NON_TENANT_TABLES));

  it('guards every tenant table with forced RLS and tenant policies, or keeps the app role off it entirely', async () => {
    const all = await tables();
    for (const table of all.filter((t) => t.name in NON_TENANT_TABLES)) {
      expect(table.has_org_id, `${table.name} holds org_id, so it is tenant data`).toBe(false);
    }
    const guarded = await tenantTables();
    expect(guarded.map((table) => table.name)).toEqual(
      expect.arrayContaining([
        'organizations',
        'plants',
        'areas',
        'lines',
        'machines',
        'users',
        'roles',
        'audit_log',
      ]),
    );
    for (const table of guarded) {
      // Without forced RLS a table is safe only when the app role cannot touch it at all (samples:
      // TimescaleDB refuses RLS with compression, so it is read and written through definer functions).
      if (!(table.enabled && table.forced)) {
        expect({ table: table.name, privileges: table.privileges }).toEqual({
          table: table.name,
          privileges: [],
        });
        continue;
      }
      expect(table.policies.length, `${table.name} has no policy`).toBeGreaterThan(0);
      for (const policy of table.policies) {
        const where = `${table.name}.${policy.name}`;
        expect(policy.qual, `${where} USING`).toMatch(/app\.org_id/);
        if (policy.cmd !== 'SELECT') expect(policy.check, `${where} WITH CHECK`).toMatch(/app\.org_id/);
        const plantScoped =
          (table.has_plant_id || table.name === 'plants') && !(table.name in NOT_PLANT_SCOPED);
        if (plantScoped) {
          expect(policy.qual, `${where} USING plants`).toMatch(/app\.plant_ids/);
          expect(policy.check, `${where} WITH CHECK plants`).toMatch(/app\.plant_ids/);
        }
      }
    }
  });

  it('audits every tenant table but the listed high-volume ones, by trigger', async () => {
    for (const table of await tenantTables()) {
      expect({ table: table.name, audited: table.audited }).toEqual({
        table: table.name,
        audited: !(table.name in NOT_AUDITED),
      });
    }
  });

  it('runs requests as a role that is no superuser, cannot bypass RLS and owns nothing', async () => {
    const [role] = await cloud().queryAsTenant(
      NO_TENANT,
      `select current_user as name, r.rolsuper, r.rolbypassrls,
              (select count(*)::int from pg_class c where c.relowner = r.oid) as owned
       from pg_roles r where r.rolname = current_user`,
    );
    expect(role).toEqual({ name: 'unison_app', rolsuper: false, rolbypassrls: false, owned: 0 });
    const owners = new Set((await tables()).map((table) => table.owner));
    expect(owners.has('unison_app')).toBe(false);
  });

  it('gives the app role no access to the non-tenant tables', async () => {
    for (const table of Object.keys(NON_TENANT_TABLES)) {
      await expect(cloud().queryAsTenant(NO_TENANT, `select * from ${table}`), table).rejects.toThrow(
        /permission denied/,
      );
    }
  });

  it("shows another organization none of A's rows, and no context nothing at all", async () => {
    const orgA = await createModeledOrg(cloud());
    const orgB = await createOrgWithToken(cloud());
    await createPlanningObjects(cloud(), orgA.token, orgA.first);
    const edge = await enrollEdge(cloud(), orgA);
    await cloud().admin.createEnrollmentCode(orgA);
    const [first, second, ...rest] = makeRecords(1, 8);
    const withQuarantined = [first!, { ...second!, quality: 'meh' as 'good' }, ...rest];
    const ack = await upload(cloud(), edge, batchOf(edge.edgeId, withQuarantined));
    expect(ack.status).toBe(200);
    const event = {
      seq: 1,
      id: randomUUID(),
      type: 'machine.state',
      machine: 'press-1',
      source: 'tenancy test',
      ts: new Date().toISOString(),
      payload: { state: 'RUNNING' },
    };
    const events = await upload(cloud(), edge, { stream: 'events', epoch: edge.edgeId, records: [event] });
    expect(events.status).toBe(200);

    for (const { name } of await tenantTables()) {
      const orgColumn = name === 'organizations' ? 'id' : 'org_id';
      const source = READERS[name] ?? name;
      const count = async (organizationId: string) => {
        const [row] = await cloud().queryAsTenant(
          organizationId,
          `select count(*)::int as count from ${source} where ${orgColumn} = $1`,
          [orgA.organizationId],
        );
        return row?.count;
      };
      expect(await count(orgA.organizationId), `${name} as A (seed it in this test)`).toBeGreaterThan(0);
      expect(await count(orgB.organizationId), `${name} as B`).toBe(0);
      expect(await countRows(cloud(), NO_TENANT, source), `${name} without tenant`).toBe(0);
    }
  });

  it("confines a plant-scoped context to its plants' rows, and an empty plant list to none", async () => {
    const org = await createModeledOrg(cloud());
    const plantTables = ['plants', 'areas', 'lines', 'machines'];
    for (const table of plantTables) {
      const column = table === 'plants' ? 'id' : 'plant_id';
      const rows = await cloud().queryAsTenant(org.organizationId, `select ${column} as plant from ${table}`);
      expect(new Set(rows.map((row) => row.plant)), table).toEqual(
        new Set([org.first.plantId, org.second.plantId]),
      );
      const confined = await cloud().queryAsTenant(
        org.organizationId,
        `select set_config('app.plant_ids', $1, true), (select array_agg(${column}) from ${table}) as plants`,
        [`{${org.first.plantId}}`],
      );
      expect(confined[0]?.plants, table).toEqual([org.first.plantId]);
      const none = await cloud().queryAsTenant(
        org.organizationId,
        `select set_config('app.plant_ids', '', true), (select count(*)::int from ${table}) as count`,
      );
      expect(none[0]?.count, `${table} with an empty plant list`).toBe(0);
    }
  });

  it("refuses to write a row into another organization's tenant", async () => {
    const orgA = await createOrgWithToken(cloud());
    const orgB = await createOrgWithToken(cloud());
    await expect(
      cloud().queryAsTenant(
        orgB.organizationId,
        `insert into machines (id, org_id, plant_id, code, name) values (gen_random_uuid(), $1, $2, 'x', 'x')`,
        [orgA.organizationId, orgA.plantId],
      ),
    ).rejects.toThrow(/row-level security/);
    expect(await countRows(cloud(), orgA.organizationId, 'machines')).toBe(0);
  });

  it('keeps the audit log append-only for the app role', async () => {
    const org = await createOrgWithToken(cloud());
    expect(await countRows(cloud(), org.organizationId, 'audit_log')).toBeGreaterThan(0);
    await expect(
      cloud().queryAsTenant(org.organizationId, `update audit_log set action = 'delete'`),
    ).rejects.toThrow(/permission denied/);
    await expect(cloud().queryAsTenant(org.organizationId, 'delete from audit_log')).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      cloud().queryAsTenant(
        org.organizationId,
        `insert into audit_log (org_id, actor_type, action, table_name) values ($1, 'system', 'insert', 'x')`,
        [org.organizationId],
      ),
    ).rejects.toThrow(/permission denied/);
  });
});
