import { describe, expect, it } from 'vitest';
import { gs1CheckDigit, parseGS1ElementString, parseScan } from '../src/index.ts';

const GS = '\x1d';
const clock2026 = { now: () => new Date('2026-03-15T12:00:00Z') };

function elementsOf(data: string) {
  const result = parseGS1ElementString(data, { clock: clock2026 });
  if (!result.ok) throw new Error(`${result.error.reason} at ${result.error.position}`);
  return result.value;
}

describe('parseGS1ElementString: valid messages', () => {
  it('reads GTIN, batch and expiry with the batch terminated by GS', () => {
    const scan = parseScan(`]C1010950600013435210ABC123${GS}17201231`, { clock: clock2026 });
    expect(scan).toEqual({
      ok: true,
      value: {
        aim: { symbology: 'GS1-128', code: ']C1', gs1: true },
        kind: 'gs1',
        text: `010950600013435210ABC123${GS}17201231`,
        elements: [
          { ai: '01', title: 'GTIN', raw: '09506000134352', value: '09506000134352' },
          { ai: '10', title: 'BATCH/LOT', raw: 'ABC123', value: 'ABC123' },
          { ai: '17', title: 'USE BY or EXPIRY', raw: '201231', value: new Date('2020-12-31T00:00:00Z') },
        ],
      },
    });
  });

  it('reads an SSCC', () => {
    expect(elementsOf('00106141411234567897')).toEqual([
      { ai: '00', title: 'SSCC', raw: '106141411234567897', value: '106141411234567897' },
    ]);
  });

  it('reads a GLN (414) with its extension (254)', () => {
    expect(elementsOf(`4140614141123452254A1${GS}`).map((element) => [element.ai, element.raw])).toEqual([
      ['414', '0614141123452'],
      ['254', 'A1'],
    ]);
  });

  it('applies the decimal point of 3103 net weight', () => {
    const [, weight] = elementsOf('01095060001343523103000525');
    expect(weight).toEqual({
      ai: '3103',
      title: 'NET WEIGHT (kg)',
      raw: '000525',
      value: 0.525,
      decimal: 0.525,
      decimalPlaces: 3,
    });
  });

  it('reads an amount with its ISO 4217 currency (3932)', () => {
    const [, , price] = elementsOf(`0109506000134352${GS}3012${GS}393297812345`);
    expect(price).toMatchObject({ ai: '3932', value: 123.45, decimal: 123.45, currency: '978' });
  });

  it('reads GRAI (8003) and GIAI (8004)', () => {
    expect(elementsOf('80030950600013435212345')[0]).toMatchObject({
      ai: '8003',
      raw: '0950600013435212345',
    });
    expect(elementsOf('8004095060001ABC-42')[0]).toMatchObject({
      ai: '8004',
      title: 'GIAI',
      raw: '095060001ABC-42',
    });
  });

  it('accepts a leading FNC1-as-GS and a custom separator', () => {
    expect(elementsOf(`${GS}0109506000134352`)).toHaveLength(1);
    const result = parseGS1ElementString('010950600013435210ABC^17201231', {
      separator: '^',
      clock: clock2026,
    });
    expect(result.ok && result.value.map((element) => element.ai)).toEqual(['01', '10', '17']);
  });

  it('validates a GMN (8013) check character pair', () => {
    expect(elementsOf('80131987654Ad4X4bL5ttr2310c2K')[0]!.raw).toBe('1987654Ad4X4bL5ttr2310c2K');
    expect(parseGS1ElementString('80131987654Ad4X4bL5ttr2310cXK')).toEqual({
      ok: false,
      error: { reason: 'AI (8013): check character pair "XK" wrong, expected "2K"', position: 27 },
    });
  });

  it('computes GS1 mod-10 check digits', () => {
    expect(gs1CheckDigit('0950600013435')).toBe(2);
    expect(gs1CheckDigit('10614141123456789')).toBe(7);
    expect(gs1CheckDigit('061414112345')).toBe(2);
  });
});

describe('parseGS1ElementString: rejected input, with reason and position', () => {
  const rejects = (input: string, reason: string, position: number) =>
    expect(parseScan(input, { clock: clock2026 })).toEqual({ ok: false, error: { reason, position } });

  it('a variable-length AI not terminated by GS', () => {
    rejects(
      ']C1010950600013435210LOT-2024-0001-ABCDEF17201231',
      'AI (10): variable-length field not terminated by GS before AI (17)',
      41,
    );
  });

  it('names every AI that could follow when the split is ambiguous', () => {
    rejects(
      ']C10109506000134352301210ABC',
      'AI (30): variable-length field not terminated by GS before AI (21) or AI (10)',
      22,
    );
  });

  it('a fixed-length AI that needs a separator (422) followed by more data', () => {
    rejects(`]C10109506000134352${GS}42275610ABC`, 'AI (422): field not terminated by GS before AI (10)', 26);
  });

  it('a wrong check digit', () => {
    rejects(']C10109506000134353', 'AI (01): check digit 3 wrong, expected 2', 18);
  });

  it('an invalid date', () => {
    rejects(']C1010950600013435217201332', 'AI (17): invalid date "201332": month 13 not in 01-12', 23);
    rejects(
      ']C1010950600013435217210229',
      'AI (17): invalid date "210229": day 29 not in 01-28 for 2021-02',
      25,
    );
    rejects(
      `]C10109506000134352${GS}7006240200`,
      'AI (7006): invalid date "240200": day 00 not in 01-29 for 2024-02',
      28,
    );
  });

  it('a date that is too short', () => {
    rejects(']C10109506000134352172012', 'AI (17): expected 6 digits (YYMMDD), got "2012"', 21);
  });

  it('bytes above 0x7F and control characters', () => {
    rejects(`]C10109506000134352${GS}10ABC\xe9`, 'byte 0xE9 not allowed in GS1 data', 25);
    rejects(']C10109506000134352\r', 'control character 0x0D not allowed in GS1 data', 19);
  });

  it('characters outside the AI character set', () => {
    rejects(
      `]C10109506000134352${GS}10AB C`,
      'AI (10): character 0x20 not allowed, expected 1 to 20 CSET 82 characters',
      24,
    );
  });

  it('an AI that is not in the table', () => {
    rejects(`]C10109506000134352${GS}2312`, 'unknown AI: no GS1 Application Identifier starts "2312"', 20);
  });

  it('a missing required AI and an excluded pair', () => {
    rejects(']C10209506000134352', 'AI (02) requires (37)', 3);
    rejects(']C1010950600013435231030005253102000500', 'AI (3102) cannot be combined with AI (3103)', 29);
    rejects(`]C110ABC${GS}17201231`, 'AI (10) requires (01), (02), (03), (8006) or (8026)', 3);
  });

  it('an empty element and a repeated AI with a different value', () => {
    rejects(`]C10109506000134352${GS}${GS}10A`, 'empty element: separator not followed by an AI', 20);
    rejects(`]C1010950600013435210A${GS}10B`, 'AI (10) repeated with a different value', 23);
  });

  it('a linter the project cannot check fails closed', () => {
    rejects(`]C100106141411234567897${GS}7041BOX`, 'AI (7041): unsupported check packagetype', 28);
  });
});
