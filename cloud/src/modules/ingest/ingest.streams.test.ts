import { gzipSync } from 'node:zlib';
import type { UploadEventRecord } from '@unison/contracts';
import { uuidv7 } from 'uuidv7';
import { beforeAll, expect, it } from 'vitest';
import {
  batchOf,
  countRows,
  createOrgWithToken,
  describeEachBackend,
  enrollEdge,
  makeRecords,
  signAssertion,
  type TestEdge,
  upload,
} from '../../../test/helpers.ts';

const BASE_MS = Date.parse('2025-03-01T08:00:00.000Z');

function makeEvents(from: number, to: number): UploadEventRecord[] {
  return Array.from({ length: to - from + 1 }, (_, index) => {
    const seq = from + index;
    return {
      seq,
      id: uuidv7(),
      type: 'machine.count',
      machine: 'press-1',
      source: 'press-line',
      ts: new Date(BASE_MS + seq * 1000).toISOString(),
      payload: { good: seq, scrap: 0 },
    };
  });
}

describeEachBackend('sync upload: streams, quarantine, compression', (cloud) => {
  let edge: TestEdge;
  let organizationId: string;
  let otherOrganizationId: string;
  const epoch = uuidv7();
  const events = (organization = organizationId) => countRows(cloud(), organization, 'events');

  beforeAll(async () => {
    const org = await createOrgWithToken(cloud());
    organizationId = org.organizationId;
    otherOrganizationId = (await createOrgWithToken(cloud())).organizationId;
    edge = await enrollEdge(cloud(), org);
  });

  const post = async (body: BodyInit, headers: Record<string, string> = {}) => {
    const response = await cloud().app.request('/api/v1/sync/upload', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await signAssertion(edge)}`,
        ...headers,
      },
      body,
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };

  it('writes events with their own seq, exactly once, beside samples', async () => {
    const first = await upload(cloud(), edge, { stream: 'events', epoch, records: makeEvents(1, 4) });
    expect(first.body).toEqual({ stream: 'events', epoch, ackedSeq: 4, written: 4, duplicates: 0 });
    const replay = await upload(cloud(), edge, { stream: 'events', epoch, records: makeEvents(3, 4) });
    expect(replay.body).toMatchObject({ ackedSeq: 4, written: 0, duplicates: 2 });
    const gap = await upload(cloud(), edge, { stream: 'events', epoch, records: makeEvents(6, 6) });
    expect(gap).toMatchObject({ status: 409, body: { expectedSeq: 5 } });
    const samples = await upload(cloud(), edge, batchOf(epoch, makeRecords(1, 2)));
    expect(samples.body).toMatchObject({ stream: 'samples', ackedSeq: 2, written: 2 });
    const rows = await cloud().queryAsTenant(
      organizationId,
      `select e.seq::int, e.type, m.code, e.payload from events e left join machines m on m.id = e.machine_id order by e.seq`,
    );
    expect(rows.map((r) => [r.seq, r.type, r.code])).toEqual([
      [1, 'machine.count', 'press-1'],
      [2, 'machine.count', 'press-1'],
      [3, 'machine.count', 'press-1'],
      [4, 'machine.count', 'press-1'],
    ]);
    expect(rows[0]!.payload).toEqual({ good: 1, scrap: 0 });
    expect(await events(otherOrganizationId)).toBe(0);
  });

  it('quarantines poison events (NUL, oversized payload, bad machine) and moves the stream on', async () => {
    const [a, b, c, d, e] = makeEvents(5, 9);
    const records = [
      a!,
      { ...b!, payload: { note: 'bad\u0000byte' } },
      { ...c!, payload: { blob: 'x'.repeat(70 * 1024) } },
      { ...d!, machine: '../etc' },
      e!,
    ];
    const response = await upload(cloud(), edge, { stream: 'events', epoch, records });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ackedSeq: 9, written: 2, quarantined: 3 });
    const held = await cloud().queryAsTenant(
      organizationId,
      `select seq::int, reason from sync_quarantine where stream = 'events' order by seq`,
    );
    expect(held).toEqual([
      { seq: 6, reason: 'contains a NUL character' },
      { seq: 7, reason: expect.stringContaining('payload') },
      { seq: 8, reason: expect.stringContaining('machine') },
    ]);
    const again = await upload(cloud(), edge, { stream: 'events', epoch, records });
    expect(again.body).toMatchObject({ ackedSeq: 9, written: 0 });
    expect(await countRows(cloud(), otherOrganizationId, 'sync_quarantine')).toBe(0);
  });

  it('quarantines a record the database refuses although it passed validation', async () => {
    const yearZeroEpoch = uuidv7();
    const [a, b, c] = makeRecords(1, 3);
    const records = [a!, { ...b!, ts: '0000-01-01T00:00:00Z' }, c!];
    const response = await upload(cloud(), edge, batchOf(yearZeroEpoch, records));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ackedSeq: 3, written: 2, quarantined: 1 });
    const held = await cloud().queryAsTenant(
      organizationId,
      'select seq::int, reason from sync_quarantine where epoch = $1',
      [yearZeroEpoch],
    );
    expect(held).toEqual([{ seq: 2, reason: expect.stringContaining('refused by the database') }]);
  });

  it('accepts a gzip body and applies the size limit to the decompressed body', async () => {
    const batch = JSON.stringify({ stream: 'events', epoch, records: makeEvents(10, 40) });
    const ok = await post(new Uint8Array(gzipSync(batch)), { 'content-encoding': 'gzip' });
    expect(ok).toMatchObject({ status: 200, body: { ackedSeq: 40, written: 31 } });

    const bomb = gzipSync(JSON.stringify({ stream: 'events', epoch, padding: ' '.repeat(9 * 1024 * 1024) }));
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    const refused = await post(new Uint8Array(bomb), { 'content-encoding': 'gzip' });
    expect(refused.status).toBe(413);
    expect((await post('not gzip', { 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await post(batch, { 'content-encoding': 'br' })).status).toBe(415);
  });

  it('accepts a hole in samples only where the edge declares it dropped them', async () => {
    const dropEpoch = uuidv7();
    expect((await upload(cloud(), edge, batchOf(dropEpoch, makeRecords(1, 3)))).status).toBe(200);
    const undeclared = await upload(cloud(), edge, batchOf(dropEpoch, makeRecords(8, 9)));
    expect(undeclared).toMatchObject({ status: 409, body: { expectedSeq: 4 } });
    const declared = await upload(cloud(), edge, {
      ...batchOf(dropEpoch, makeRecords(8, 9)),
      droppedThroughSeq: 7,
    });
    expect(declared).toMatchObject({ status: 200, body: { ackedSeq: 9, written: 2 } });
    const events = await upload(cloud(), edge, {
      stream: 'events',
      epoch,
      droppedThroughSeq: 50,
      records: makeEvents(45, 45),
    });
    expect(events.status).toBe(422);
  });
});
