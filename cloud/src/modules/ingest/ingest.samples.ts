import { UploadRecord } from '@unison/contracts';

const fields = UploadRecord.shape;
const FIELD_COUNT = Object.keys(fields).length;

/**
 * A quick check for the common sample: it accepts a record only when the full check in
 * `classifyRecords` (the contract's schema, no NUL, a representable time) would accept it unchanged,
 * and leaves every other record to that check, so reasons and verdicts stay the same. Machines, tags
 * and times repeat across a batch, so each distinct one goes through its schema once.
 */
export function plainSamples(): (record: unknown) => record is UploadRecord {
  const machines = known((code) => fields.machine.safeParse(code).success);
  const tags = known((tag) => fields.tag.safeParse(tag).success);
  const times = known((ts) => fields.ts.safeParse(ts).success && Number.isFinite(Date.parse(ts as string)));
  return (record): record is UploadRecord => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) return false;
    const r = record as Record<string, unknown>;
    return (
      Object.keys(r).length === FIELD_COUNT &&
      Number.isSafeInteger(r.seq) &&
      (r.seq as number) > 0 &&
      typeof r.id === 'string' &&
      fields.id.safeParse(r.id).success &&
      machines(r.machine) &&
      tags(r.tag) &&
      times(r.ts) &&
      plainValue(r.value) &&
      (r.quality === 'good' || r.quality === 'uncertain' || r.quality === 'bad')
    );
  };
}

/** Strings only, remembered by value: a string that passed once passes again. */
function known(check: (value: unknown) => boolean): (value: unknown) => boolean {
  const passed = new Set<string>();
  return (value) => {
    if (typeof value !== 'string') return false;
    if (passed.has(value)) return true;
    if (!check(value) || hasNulOrBackslash(value)) return false;
    passed.add(value);
    return true;
  };
}

function plainValue(value: unknown): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  // A backslash could spell "\u0000" in the record's JSON, which the full check refuses.
  return typeof value === 'string' && !hasNulOrBackslash(value) && fields.value.safeParse(value).success;
}

const hasNulOrBackslash = (text: string) => text.includes('\0') || text.includes('\\');
