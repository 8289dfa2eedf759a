import { uuidv7 } from 'uuidv7';
import { beforeAll, expect, it } from 'vitest';
import {
  batchOf,
  createOrgWithToken,
  describeEachBackend,
  enrollEdge,
  makeRecords,
  SAMPLES,
  type TestEdge,
  upload,
} from '../../../test/helpers.ts';
import { arrayLiteral } from './ingest.arrays.ts';

const texts = [
  'plain',
  '',
  'NULL',
  'null',
  'with "quotes"',
  'back\\slash',
  '\\"',
  '{braces},commas',
  '  spaces  ',
  'line\nbreak\ttab',
  'ünïcødé ✓ 🏭',
  null,
];
const numbers = [0, -0, 1.5, -21.25, 1e21, 5e-324, 1.7976931348623157e308, 2 ** 53 - 1, null];

describeEachBackend('sync upload: array parameters', (cloud) => {
  let organizationId: string;
  let edge: TestEdge;

  beforeAll(async () => {
    const org = await createOrgWithToken(cloud());
    organizationId = org.organizationId;
    edge = await enrollEdge(cloud(), org);
  });

  it('reads back from PostgreSQL exactly what was put in the literal', async () => {
    const [row] = await cloud().queryAsTenant(
      organizationId,
      'select $1::text[] as texts, $2::float8[] as numbers, $3::bool[] as flags',
      [arrayLiteral(texts), arrayLiteral(numbers), arrayLiteral([true, false, null])],
    );
    expect(row?.texts).toEqual(texts);
    // PostgreSQL has no negative zero in float8 output; every other number comes back as it went.
    expect(row?.numbers).toEqual(numbers.map((n) => (Object.is(n, -0) ? 0 : n)));
    expect(row?.flags).toEqual([true, false, null]);
  });

  it('stores sample texts with quotes, backslashes and braces as sent', async () => {
    const epoch = uuidv7();
    const values = texts.filter((text): text is string => text !== null);
    const records = makeRecords(1, values.length).map((record, index) => ({
      ...record,
      tag: `t${index}`,
      value: values[index]!,
    }));
    const response = await upload(cloud(), edge, batchOf(epoch, records));
    expect(response.body).toMatchObject({ written: values.length });
    const stored = await cloud().queryAsTenant(
      organizationId,
      `select value_text from ${SAMPLES} where epoch = $1 order by seq`,
      [epoch],
    );
    expect(stored.map((row) => row.value_text)).toEqual(values);
  });
});
