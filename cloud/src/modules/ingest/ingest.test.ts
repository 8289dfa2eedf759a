import { uuidv7 } from 'uuidv7';
import { beforeAll, expect, it } from 'vitest';
import {
  batchOf,
  countRows,
  createOrgWithToken,
  describeEachBackend,
  enrollEdge,
  makeRecords,
  SAMPLES,
  signAssertion,
  type TestEdge,
  upload,
} from '../../../test/helpers.ts';

describeEachBackend('sync upload', (cloud) => {
  let edge: TestEdge;
  let organizationId: string;
  const olderEpoch = uuidv7();
  const epoch = uuidv7();
  const records = makeRecords(1, 12);
  const samples = () => countRows(cloud(), organizationId, SAMPLES);

  beforeAll(async () => {
    const org = await createOrgWithToken(cloud());
    organizationId = org.organizationId;
    edge = await enrollEdge(cloud(), org);
  });

  it('writes the first batch and acknowledges its last seq', async () => {
    const response = await upload(cloud(), edge, batchOf(epoch, records.slice(0, 5)));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ stream: 'samples', epoch, ackedSeq: 5, written: 5, duplicates: 0 });
    expect(await samples()).toBe(5);
    const stored = await cloud().queryAsTenant(
      organizationId,
      `select seq::int, value_num, value_text, value_bool, quality from ${SAMPLES} order by seq`,
    );
    expect(stored.slice(0, 4)).toEqual([
      { seq: 1, value_num: null, value_text: 'RUNNING', value_bool: null, quality: 'good' },
      { seq: 2, value_num: null, value_text: null, value_bool: true, quality: 'good' },
      { seq: 3, value_num: null, value_text: null, value_bool: null, quality: 'bad' },
      { seq: 4, value_num: 21.5, value_text: null, value_bool: null, quality: 'good' },
    ]);
  });

  it('acknowledges an exact replay without writing twice', async () => {
    const response = await upload(cloud(), edge, batchOf(epoch, records.slice(0, 5)));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ackedSeq: 5, written: 0, duplicates: 5 });
    expect(await samples()).toBe(5);
  });

  it('writes only the new part of an overlapping batch', async () => {
    const response = await upload(cloud(), edge, batchOf(epoch, records.slice(3, 8)));
    expect(response.body).toMatchObject({ ackedSeq: 8, written: 3, duplicates: 2 });
    expect(await samples()).toBe(8);
  });

  it('refuses a gap with the seq it expects', async () => {
    const response = await upload(cloud(), edge, batchOf(epoch, records.slice(9, 12)));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ status: 409, expectedSeq: 9 });
    expect(await samples()).toBe(8);
  });

  it('refuses a batch from an older epoch', async () => {
    const response = await upload(cloud(), edge, batchOf(olderEpoch, makeRecords(9, 10)));
    expect(response.status).toBe(409);
    expect(response.body.detail).toMatch(/stale epoch/);
    expect(await samples()).toBe(8);
  });

  it('starts over from seq 1 for a newer epoch', async () => {
    const newerEpoch = uuidv7();
    const response = await upload(cloud(), edge, batchOf(newerEpoch, makeRecords(1, 3)));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ epoch: newerEpoch, ackedSeq: 3, written: 3 });
    expect(await samples()).toBe(11);
    const stale = await upload(cloud(), edge, batchOf(epoch, records.slice(8, 10)));
    expect(stale.status).toBe(409);
  });

  it('quarantines a record that fails validation and acknowledges its neighbours', async () => {
    const quarantineEpoch = uuidv7();
    const [first, second, third] = makeRecords(1, 3);
    const invalid = batchOf(quarantineEpoch, [first!, { ...second!, quality: 'meh' as 'good' }, third!]);
    const response = await upload(cloud(), edge, invalid);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ackedSeq: 3, written: 2, quarantined: 1, duplicates: 0 });
    expect(await samples()).toBe(13);
    const held = await cloud().queryAsTenant(
      organizationId,
      'select seq::int, reason, record from sync_quarantine',
    );
    expect(held).toEqual([
      { seq: 2, reason: expect.stringContaining('quality'), record: expect.stringContaining('meh') },
    ]);
  });

  it('answers a malformed envelope with 422 and the failing field, writing nothing', async () => {
    const response = await upload(cloud(), edge, { stream: 'samples', epoch: 'not-a-uuid', records: [] });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['epoch', 'records']),
    );
  });

  it('refuses a body over 8 MB with 413', async () => {
    const padded = JSON.stringify({
      ...batchOf(uuidv7(), makeRecords(4, 4)),
      padding: 'x'.repeat(8.5 * 1024 * 1024),
    });
    const response = await cloud().app.request('/api/v1/sync/upload', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await signAssertion(edge)}` },
      body: padded,
    });
    expect(response.status).toBe(413);
    expect(await samples()).toBe(13);
  });

  it('auto-creates machines named by their code and keeps the newest value per tag', async () => {
    const machines = await cloud().queryAsTenant(organizationId, 'select code, name from machines');
    expect(machines).toEqual([{ code: 'press-1', name: 'press-1' }]);
    const latest = await cloud().queryAsTenant(
      organizationId,
      `select tag, ts, value_num, value_text from machine_latest order by tag`,
    );
    expect(latest.map((row) => row.tag)).toEqual(['door', 'fault', 'state', 'temperature']);
    // The newer epoch resent an older 'state' (seq 1); seq 5 of the first epoch stays the latest.
    const state = latest.find((row) => row.tag === 'state');
    expect(state?.ts).toEqual(new Date(records[4]!.ts));
    expect(state?.value_text).toBe('RUNNING');
  });
});
