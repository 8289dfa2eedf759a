import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchOf,
  call,
  createOrgWithToken,
  describeEachBackend,
  enrollEdge,
  makeRecords,
  upload,
} from '../../../test/helpers.ts';
import { cutAtTime } from './samples.service.ts';

describeEachBackend('machine samples', (cloud) => {
  let org: Awaited<ReturnType<typeof createOrgWithToken>>;
  let machineId: string;
  const records = makeRecords(1, 8);
  const window = 'from=2025-03-01T08:00:00Z&to=2025-03-01T08:01:00Z';
  const get = (query: string, token = org.token) =>
    call(cloud(), 'GET', `/api/v1/machines/${machineId}/samples?${query}`, { token });

  beforeAll(async () => {
    org = await createOrgWithToken(cloud());
    const edge = await enrollEdge(cloud(), org);
    expect((await upload(cloud(), edge, batchOf(edge.edgeId, records))).status).toBe(200);
    const [machine] = await cloud().queryAsTenant(
      org.organizationId,
      `select id from machines where code = 'press-1'`,
    );
    machineId = machine!.id as string;
  });

  it('answers raw samples of the window, oldest first, with their values and quality', async () => {
    const response = await get(window);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      bucket: 'raw',
      machineId,
      from: '2025-03-01T08:00:00.000Z',
      to: '2025-03-01T08:01:00.000Z',
      nextFrom: null,
    });
    expect(response.body.items).toEqual(
      records.map((record) => ({
        tag: record.tag,
        ts: record.ts,
        value: record.value,
        quality: record.quality,
      })),
    );
    const temperature = await get(`${window}&tag=temperature`);
    expect(temperature.body.items.map((item: { ts: string }) => item.ts)).toEqual([
      records[3]!.ts,
      records[7]!.ts,
    ]);
  });

  it('pages by time: nextFrom starts the next page where the limit cut', async () => {
    const first = await get(`${window}&limit=3`);
    expect(first.body.items).toHaveLength(3);
    expect(first.body.nextFrom).toBe(records[3]!.ts);
    const rest = await get(`from=${first.body.nextFrom}&to=2025-03-01T08:01:00Z&limit=100`);
    expect(rest.body.nextFrom).toBeNull();
    expect([...first.body.items, ...rest.body.items].map((item: { ts: string }) => item.ts)).toEqual(
      records.map((record) => record.ts),
    );
  });

  it('answers 1-minute buckets per tag', async () => {
    const response = await get(`${window}&bucket=1m`);
    expect(response.status).toBe(200);
    expect(response.body.bucket).toBe('1m');
    const bucket = '2025-03-01T08:00:00.000Z';
    const none = { min: null, max: null, avg: null };
    expect(response.body.items).toEqual([
      { tag: 'door', bucket, count: 2, ...none, last: true },
      { tag: 'fault', bucket, count: 2, ...none, last: null },
      { tag: 'state', bucket, count: 2, ...none, last: 'RUNNING' },
      { tag: 'temperature', bucket, count: 2, min: 21.5, max: 21.5, avg: 21.5, last: 21.5 },
    ]);
  });

  it('defaults to the last hour', async () => {
    const response = await get('');
    expect(response.status).toBe(200);
    expect(Date.parse(response.body.to) - Date.parse(response.body.from)).toBe(60 * 60 * 1000);
    expect(Math.abs(Date.parse(response.body.to) - Date.now())).toBeLessThan(60_000);
    expect(response.body.items).toEqual([]);
  });

  it('refuses windows and parameters out of bounds with problem+json', async () => {
    const refused = [
      'from=2025-03-01T08:01:00Z&to=2025-03-01T08:00:00Z',
      'from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z',
      `${window}&bucket=5m`,
      `${window}&limit=0`,
      `${window}&limit=10001`,
      'from=yesterday',
      `${window}&unknown=1`,
    ];
    for (const query of refused) {
      const response = await get(query);
      expect({ query, status: response.status }).toEqual({ query, status: 422 });
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it("answers another organization 404 and no token 401, and shows no one else's samples", async () => {
    const other = await createOrgWithToken(cloud());
    const foreign = await get(window, other.token);
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(foreign.body)).not.toContain('RUNNING');
    const anonymous = await call(cloud(), 'GET', `/api/v1/machines/${machineId}/samples`);
    expect(anonymous.status).toBe(401);
  });
});

describe('cutAtTime', () => {
  const at = (second: number) => ({ ts: new Date(Date.UTC(2025, 2, 1, 8, 0, second)) });
  const ts = (row: { ts: Date }) => row.ts;

  it('cuts before the rows that share the first left-out time, which starts the next page', () => {
    const rows = [at(1), at(2), at(2), at(3)];
    expect(cutAtTime(rows, 2, ts)).toEqual({ shown: [at(1)], nextFrom: '2025-03-01T08:00:02.000Z' });
    expect(cutAtTime(rows, 3, ts)).toEqual({ shown: rows.slice(0, 3), nextFrom: '2025-03-01T08:00:03.000Z' });
    expect(cutAtTime(rows, 4, ts)).toEqual({ shown: rows, nextFrom: null });
  });

  it('refuses a page that one time alone overflows', () => {
    expect(() => cutAtTime([at(1), at(1), at(1)], 2, ts)).toThrow(/share one time/);
  });
});
