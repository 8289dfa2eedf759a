import { expect, it } from 'vitest';
import {
  batchOf,
  call,
  createOrgWithToken,
  describeEachBackend,
  enrollEdge,
  makeRecords,
  upload,
} from '../../../test/helpers.ts';

describeEachBackend('machines', (cloud) => {
  it("lists the caller's machines with their latest values, and nothing of another organization", async () => {
    const orgA = await createOrgWithToken(cloud());
    const orgB = await createOrgWithToken(cloud());
    const edge = await enrollEdge(cloud(), orgA);
    const records = [...makeRecords(1, 4, 'press-2'), ...makeRecords(5, 12, 'lathe-1')];
    const epoch = edge.edgeId;
    expect((await upload(cloud(), edge, batchOf(epoch, records))).status).toBe(200);

    const listA = await call(cloud(), 'GET', '/api/v1/machines', { token: orgA.token });
    expect(listA.status).toBe(200);
    expect(listA.body.items.map((machine: { code: string }) => machine.code)).toEqual(['lathe-1', 'press-2']);
    const lathe = listA.body.items[0];
    expect(lathe).toMatchObject({ plantId: orgA.plantId, name: 'lathe-1' });
    expect(lathe.latest).toEqual([
      { tag: 'door', value: true, quality: 'good', ts: records[9]!.ts },
      { tag: 'fault', value: null, quality: 'bad', ts: records[10]!.ts },
      { tag: 'state', value: 'RUNNING', quality: 'good', ts: records[8]!.ts },
      { tag: 'temperature', value: 21.5, quality: 'good', ts: records[11]!.ts },
    ]);

    const listB = await call(cloud(), 'GET', '/api/v1/machines', { token: orgB.token });
    expect(listB.status).toBe(200);
    expect(listB.body.items).toEqual([]);
  });
});
