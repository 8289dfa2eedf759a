import { describe, expect, it } from 'vitest';
import { parseGS1DigitalLink, parseScan } from '../src/index.ts';

const clock = { now: () => new Date('2026-03-15T12:00:00Z') };

describe('parseGS1DigitalLink', () => {
  it('reads key, qualifier and data attribute', () => {
    expect(
      parseGS1DigitalLink('https://id.gs1.org/01/09506000134352/10/ABC123?17=201231', { clock }),
    ).toEqual({
      ok: true,
      value: [
        { ai: '01', title: 'GTIN', raw: '09506000134352', value: '09506000134352' },
        { ai: '10', title: 'BATCH/LOT', raw: 'ABC123', value: 'ABC123' },
        { ai: '17', title: 'USE BY or EXPIRY', raw: '201231', value: new Date('2020-12-31T00:00:00Z') },
      ],
    });
  });

  it('skips a path prefix and non-GS1 query parameters, pads GTIN-13 and percent-decodes', () => {
    const result = parseGS1DigitalLink(
      'HTTPS://example.com/products/01/9506000134352/22/2A/10/L%2F7/21/S1?3103=000525&linkType=gs1:pip#top',
    );
    expect(result.ok && result.value.map((element) => [element.ai, element.raw])).toEqual([
      ['01', '09506000134352'],
      ['22', '2A'],
      ['10', 'L/7'],
      ['21', 'S1'],
      ['3103', '000525'],
    ]);
  });

  it('reads other primary keys: SSCC, GLN with extension, GIAI', () => {
    const keys = [
      'https://id.gs1.org/00/106141411234567897',
      'https://id.gs1.org/414/0614141123452/254/A1',
      'https://id.gs1.org/8004/095060001ABC',
    ].map((uri) => {
      const result = parseGS1DigitalLink(uri);
      return result.ok ? result.value.map((element) => element.ai).join('+') : result.error.reason;
    });
    expect(keys).toEqual(['00', '414+254', '8004']);
  });

  const rejects = (uri: string, reason: string, position: number) =>
    expect(parseGS1DigitalLink(uri, { clock })).toEqual({ ok: false, error: { reason, position } });

  it('rejects qualifiers out of order or mixed across alternatives', () => {
    rejects(
      'https://id.gs1.org/01/09506000134352/21/S1/10/L1',
      'AI (10) not allowed here as a key qualifier of (01): expected qualifiers in the order 22, 10, 21 or 235',
      43,
    );
    rejects(
      'https://id.gs1.org/01/09506000134352/10/L1/235/T1',
      'AI (235) not allowed here as a key qualifier of (01): expected qualifiers in the order 22, 10, 21 or 235',
      43,
    );
  });

  it('rejects bad values with their position in the URI', () => {
    rejects('https://id.gs1.org/01/09506000134353', 'AI (01): check digit 3 wrong, expected 2', 35);
    rejects(
      'https://id.gs1.org/01/09506000134352?17=201332',
      'AI (17): invalid date "201332": month 13 not in 01-12',
      42,
    );
    rejects('https://id.gs1.org/01/09506000134352/10/A%2', '"%" not followed by two hex digits', 41);
    rejects(
      'https://id.gs1.org/01/09506000134352/10/A%E9',
      'percent-encoded byte 0xE9 not allowed in GS1 data',
      41,
    );
    rejects(
      'https://id.gs1.org/01/09506000134352/10/A\xe9',
      'byte 0xE9 not allowed in a Digital Link URI',
      41,
    );
  });

  it('rejects a URI without a primary key, unknown AIs and path-only AIs in the query', () => {
    rejects(
      'https://id.gs1.org/10/ABC',
      'no GS1 Digital Link primary key (such as /01/<GTIN>) in the path',
      18,
    );
    rejects('https://id.gs1.org/01/09506000134352?9999=1', 'unknown AI (9999) in query', 37);
    rejects(
      'https://id.gs1.org/01/09506000134352?21=1',
      'AI (21) not allowed as a Digital Link data attribute',
      37,
    );
    rejects('ftp://id.gs1.org/01/09506000134352', 'expected a URI starting with http:// or https://', 0);
  });

  it('checks requirements over path and query together', () => {
    rejects('https://id.gs1.org/00/106141411234567897?02=09506000134352', 'AI (02) requires (37)', 41);
  });
});

describe('parseScan routing', () => {
  it('routes a QR Digital Link, keeping positions relative to the whole scan', () => {
    const scan = parseScan(']Q1https://id.gs1.org/01/09506000134352/10/ABC123?17=201231', { clock });
    expect(scan.ok && scan.value.kind).toBe('digital-link');
    expect(parseScan(']Q1https://id.gs1.org/01/09506000134353')).toEqual({
      ok: false,
      error: { reason: 'AI (01): check digit 3 wrong, expected 2', position: 38 },
    });
  });

  it('treats an ordinary URL and unflagged symbologies as plain text', () => {
    expect(parseScan(']Q1https://example.com/manual')).toEqual({
      ok: true,
      value: {
        aim: { symbology: 'QR Code', code: ']Q1', gs1: false },
        kind: 'plain',
        text: 'https://example.com/manual',
      },
    });
    expect(parseScan('PART-4711')).toEqual({ ok: true, value: { kind: 'plain', text: 'PART-4711' } });
  });

  it('treats a leading FNC1-as-GS or ]e0 as GS1', () => {
    expect(parseScan('\x1d0109506000134352').ok).toBe(true);
    const dataBar = parseScan(']e00109506000134352');
    expect(dataBar.ok && dataBar.value.kind).toBe('gs1');
  });

  it('turns EAN/UPC into a GTIN element after checking the check digit', () => {
    const ean = parseScan(']E05901234123457');
    expect(ean.ok && ean.value.elements).toEqual([
      { ai: '01', title: 'GTIN', raw: '05901234123457', value: '05901234123457' },
    ]);
    expect(parseScan(']E05901234123458')).toEqual({
      ok: false,
      error: { reason: 'EAN-13: check digit 8 wrong, expected 7', position: 15 },
    });
  });
});
