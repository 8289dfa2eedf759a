import type { UploadRecord } from '@unison/contracts';
import { uuidv7 } from 'uuidv7';
import { expect, it } from 'vitest';
import {
  batchOf,
  call,
  createOrgWithToken,
  describeEachBackend,
  enrollEdge,
  ok,
  upload,
} from '../../../test/helpers.ts';
import { Machine } from './machines.schema.ts';

// Values whose JSON text differs between PostgreSQL and JavaScript, or that need escaping.
const VALUES: UploadRecord['value'][] = [
  0.1,
  123456789.123,
  1e-7,
  2.5e21,
  -42,
  'say "cheese" \\ Grüße 工場 🏭',
  '',
  false,
  null,
];

describeEachBackend('machine list as JSON from the database', (cloud) => {
  it('answers each machine exactly as the single-machine route does, in the documented shape', async () => {
    const org = await createOrgWithToken(cloud());
    const edge = await enrollEdge(cloud(), org);
    const baseMs = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const records: UploadRecord[] = VALUES.map((value, index) => ({
      seq: index + 1,
      id: uuidv7(),
      machine: `m-${index % 3}`,
      tag: `tag-${index}`,
      ts: new Date(baseMs + index * 1001).toISOString(),
      value,
      quality: index % 2 ? 'uncertain' : 'good',
    }));
    expect((await upload(cloud(), edge, batchOf(edge.edgeId, records))).status).toBe(200);
    await ok(cloud(), 'POST', '/api/v1/machines', org.token, {
      plantId: org.plantId,
      code: 'quiet',
      name: 'No values',
    });
    const area = await ok(cloud(), 'POST', '/api/v1/areas', org.token, {
      plantId: org.plantId,
      code: 'a',
      name: 'A',
    });
    const line = await ok(cloud(), 'POST', '/api/v1/lines', org.token, {
      areaId: area.id,
      code: 'l',
      name: 'L',
    });
    await ok(cloud(), 'POST', '/api/v1/machines', org.token, {
      plantId: org.plantId,
      lineId: line.id,
      code: 'z-on-line',
      name: 'Press "7" \\ Grüße\ttab',
    });

    const listed = await call(cloud(), 'GET', '/api/v1/machines?limit=3', { token: org.token });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('content-type')).toMatch(/^application\/json/);
    const rest = await ok(cloud(), 'GET', `/api/v1/machines?cursor=${listed.body.nextCursor}`, org.token);
    expect(rest.nextCursor).toBeNull();
    const items = [...listed.body.items, ...rest.items];
    expect(items.map((item: { code: string }) => item.code)).toEqual([
      'm-0',
      'm-1',
      'm-2',
      'quiet',
      'z-on-line',
    ]);
    expect(items.at(-1)).toMatchObject({ lineId: line.id, name: 'Press "7" \\ Grüße\ttab' });
    for (const item of items) {
      expect(Machine.strict().parse(item)).toEqual(item);
      expect(item).toEqual(await ok(cloud(), 'GET', `/api/v1/machines/${item.id}`, org.token));
    }
    const values = items.flatMap((item: Machine) => item.latest.map((latest) => latest.value));
    expect(new Set(values)).toEqual(new Set(VALUES));
  });
});
