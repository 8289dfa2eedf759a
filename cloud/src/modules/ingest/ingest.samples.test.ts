import { describe, expect, it } from 'vitest';
import { classifyRecords } from './ingest.records.ts';
import { plainSamples } from './ingest.samples.ts';

const base = {
  seq: 1,
  id: '0195f3a2-6b8c-7d4e-9f00-112233445566',
  machine: 'press-1',
  tag: 'line/speed',
  ts: '2026-03-01T12:00:00.000Z',
  value: 21.5,
  quality: 'good',
};

/** Values tried in each field: good ones, near misses and plain junk. */
const variants: Record<string, unknown[]> = {
  seq: [1, 2, 0, -1, 1.5, 2 ** 53, '1', null, Number.NaN],
  id: [
    '0195F3A2-6B8C-7D4E-9F00-112233445566',
    '550e8400-e29b-41d4-a716-446655440000',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '0195f3a2-6b8c-0d4e-9f00-112233445566',
    '0195f3a2-6b8c-7d4e-1f00-112233445566',
    '0195f3a26b8c7d4e9f00112233445566',
    'not-a-uuid',
    '',
    42,
  ],
  machine: ['m', 'a'.repeat(64), 'a'.repeat(65), '', '-a', 'a b', 'NULL', 'a\u0000', 'ä', 7, null],
  tag: ['t', 'a/b/c', '/a', 'a'.repeat(128), 'a'.repeat(129), '', 'a\\b', 'tag\u0000'],
  ts: [
    '2024-02-29T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-01-01T00:00:00+01:00',
    '2024-01-01T00:00:00-23:59',
    '2024-01-01T00:00:00+24:00',
    '2024-01-01T00:00:00.123456789Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:00Z',
    '2024-01-01T00:00:00',
    '2024-01-01 00:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '+002024-01-01T00:00:00Z',
    '2024-13-01T00:00:00Z',
    'yesterday',
    1_700_000_000_000,
  ],
  value: [
    null,
    true,
    false,
    0,
    -0,
    1e308,
    Number.POSITIVE_INFINITY,
    Number.NaN,
    '',
    'RUNNING',
    'x'.repeat(4096),
    'x'.repeat(4097),
    'a\u0000b',
    'a\\u0000b',
    'a\\b',
    'a"b',
    '\u0001',
    '\ud800',
    {},
    [],
    undefined,
  ],
  quality: ['good', 'uncertain', 'bad', 'GOOD', '', null],
};

function corpus(): unknown[] {
  const records: unknown[] = [base, null, [], 'record', 42, {}];
  for (const [field, values] of Object.entries(variants)) {
    for (const value of values) records.push({ ...base, [field]: value });
    const without: Record<string, unknown> = { ...base };
    delete without[field];
    records.push(without);
  }
  records.push({ ...base, extra: 1 }, { ...base, __proto__: null }, JSON.parse(`{"__proto__":1,"seq":1}`));
  records.push(Object.assign(Object.create({ quality: 'good' }), { ...base, quality: undefined }));
  return records;
}

describe('sample records: the quick check', () => {
  it('accepts and refuses exactly what the full check does, with the same reasons', () => {
    // What reaches the record check: the envelope lets only objects with a positive integer seq through.
    const records = corpus().filter(
      (record): record is { seq: number } =>
        typeof record === 'object' &&
        record !== null &&
        !Array.isArray(record) &&
        Number.isSafeInteger((record as { seq?: unknown }).seq) &&
        (record as { seq: number }).seq > 0,
    );
    const quick = classifyRecords('samples', records);
    const full = classifyRecords('samples', records, {}, { quickSamples: false });
    expect(quick).toEqual(full);
    expect(full.valid.samples.length).toBeGreaterThan(20);
    expect(full.rejected.length).toBeGreaterThan(40);
  });

  it('takes the common sample without the full check, and leaves every doubtful one to it', () => {
    const plain = plainSamples();
    expect(plain(base)).toBe(true);
    expect(plain({ ...base, value: 'RUNNING' })).toBe(true);
    expect(plain({ ...base, value: 'a\\u0000b' })).toBe(false);
    expect(plain({ ...base, extra: 1 })).toBe(false);
    for (const junk of [null, [], 'record', 42, {}]) expect(plain(junk)).toBe(false);
    const accepted = corpus().filter((record) => plain(record));
    for (const record of accepted) {
      const full = classifyRecords('samples', [record as { seq: number }], {}, { quickSamples: false });
      expect(full.rejected).toEqual([]);
    }
  });

  it('keeps a record the full check refuses out of a batch the quick check has seen good values in', () => {
    const records = [
      { ...base, seq: 1 },
      { ...base, seq: 2, machine: 'a\u0000' },
      { ...base, seq: 3, ts: '2023-02-29T00:00:00Z' },
      { ...base, seq: 4 },
    ];
    const { valid, rejected } = classifyRecords('samples', records);
    expect(valid.samples.map((r) => r.seq)).toEqual([1, 4]);
    expect(rejected.map((r) => r.seq)).toEqual([2, 3]);
    expect(rejected[0]!.reason).toBe('contains a NUL character');
  });
});
