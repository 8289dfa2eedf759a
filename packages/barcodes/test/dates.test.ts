import { describe, expect, it } from 'vitest';
import { parseGS1ElementString } from '../src/index.ts';

const clockAt = (iso: string) => ({ now: () => new Date(iso) });

function dateOf(data: string, now = '2026-03-15T12:00:00Z'): unknown {
  const result = parseGS1ElementString(`0109506000134352${data}`, { clock: clockAt(now) });
  if (!result.ok) throw new Error(`${result.error.reason} at ${result.error.position}`);
  return result.value[1]!.value;
}

describe('GS1 dates', () => {
  it('reads DD=00 as the last day of the month', () => {
    expect(dateOf('17240200')).toEqual(new Date('2024-02-29T00:00:00Z'));
    expect(dateOf('17250200')).toEqual(new Date('2025-02-28T00:00:00Z'));
    expect(dateOf('15261100')).toEqual(new Date('2026-11-30T00:00:00Z'));
  });

  it('places two-digit years within 49 years ahead and 50 behind the current year', () => {
    expect(dateOf('17750101')).toEqual(new Date('2075-01-01T00:00:00Z'));
    expect(dateOf('17760101')).toEqual(new Date('2076-01-01T00:00:00Z'));
    expect(dateOf('17770101')).toEqual(new Date('1977-01-01T00:00:00Z'));
    expect(dateOf('17990101')).toEqual(new Date('1999-01-01T00:00:00Z'));
    expect(dateOf('17100101', '2060-06-01T00:00:00Z')).toEqual(new Date('2110-01-01T00:00:00Z'));
    expect(dateOf('17110101', '2060-06-01T00:00:00Z')).toEqual(new Date('2011-01-01T00:00:00Z'));
  });

  it('judges 29 February by the year the century rule gives', () => {
    expect(dateOf('17000229')).toEqual(new Date('2000-02-29T00:00:00Z'));
    const in2051 = parseGS1ElementString('010950600013435217000229', {
      clock: clockAt('2051-06-01T00:00:00Z'),
    });
    expect(in2051).toEqual({
      ok: false,
      error: { reason: 'AI (17): invalid date "000229": day 29 not in 01-28 for 2100-02', position: 22 },
    });
  });

  it('combines date and time (7003 expiry time, 8008 production time)', () => {
    expect(dateOf('\x1d70032512311830')).toEqual(new Date('2025-12-31T18:30:00Z'));
    expect(dateOf('\x1d800825123118')).toEqual(new Date('2025-12-31T18:00:00Z'));
    expect(dateOf('\x1d80082512311830')).toEqual(new Date('2025-12-31T18:30:00Z'));
    expect(parseGS1ElementString('0109506000134352\x1d70032512312460')).toEqual({
      ok: false,
      error: { reason: 'AI (7003): invalid hour 24, expected 00-23', position: 27 },
    });
  });
});
