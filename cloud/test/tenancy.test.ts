import { expect, it } from 'vitest';
import {
  batchOf,
  countRows,
  createOrgWithToken,
  describeEachBackend,
  enrollEdge,
  makeRecords,
  upload,
} from './helpers.ts';

const NO_TENANT = '';

describeEachBackend('tenancy', (cloud) => {
  const tables = async () =>
    (await cloud().queryAsTenant(
      NO_TENANT,
      `select c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
              pg_get_userbyid(c.relowner) as owner,
              exists (select 1 from pg_attribute a
                      where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped) as has_org_id,
              (select coalesce(array_agg(coalesce(p.qual, '') || ' / ' || coalesce(p.with_check, '')), '{}')
               from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname) as policies
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p')
       order by c.relname`,
    )) as {
      name: string;
      enabled: boolean;
      forced: boolean;
      owner: string;
      has_org_id: boolean;
      policies: string[];
    }[];

  it('guards every tenant table with enabled and forced RLS and a tenant policy', async () => {
    const all = await tables();
    const tenantTables = all.filter((table) => table.has_org_id || table.name === 'organizations');
    expect(tenantTables.map((table) => table.name)).toEqual(
      expect.arrayContaining([
        'organizations',
        'plants',
        'machines',
        'users',
        'edges',
        'samples',
        'machine_latest',
      ]),
    );
    for (const table of tenantTables) {
      expect({ table: table.name, enabled: table.enabled, forced: table.forced }).toEqual({
        table: table.name,
        enabled: true,
        forced: true,
      });
      expect(table.policies.length, `${table.name} has no policy`).toBeGreaterThan(0);
      for (const policy of table.policies) {
        expect(policy, `${table.name} policy`).toMatch(/app\.org_id.*\/.*app\.org_id/s);
      }
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

  it('gives the app role no access to the signing keys', async () => {
    await expect(cloud().queryAsTenant(NO_TENANT, 'select * from signing_keys')).rejects.toThrow(
      /permission denied/,
    );
  });

  it("shows another organization none of A's rows, and no context nothing at all", async () => {
    const orgA = await createOrgWithToken(cloud());
    const orgB = await createOrgWithToken(cloud());
    const edge = await enrollEdge(cloud(), orgA);
    await cloud().admin.createEnrollmentCode(orgA);
    const ack = await upload(cloud(), edge, batchOf(edge.edgeId, makeRecords(1, 8)));
    expect(ack.status).toBe(200);

    const tenantTables = (await tables()).filter(
      (table) => table.has_org_id || table.name === 'organizations',
    );
    for (const { name } of tenantTables) {
      const orgColumn = name === 'organizations' ? 'id' : 'org_id';
      const count = async (organizationId: string) => {
        const [row] = await cloud().queryAsTenant(
          organizationId,
          `select count(*)::int as count from ${name} where ${orgColumn} = $1`,
          [orgA.organizationId],
        );
        return row?.count;
      };
      expect(await count(orgA.organizationId), `${name} as A`).toBeGreaterThan(0);
      expect(await count(orgB.organizationId), `${name} as B`).toBe(0);
      expect(await countRows(cloud(), NO_TENANT, name), `${name} without tenant`).toBe(0);
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
});
