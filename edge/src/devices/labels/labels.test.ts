import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { rasterizeMissingSymbologies } from './label.fallback.ts';
import { previewLabelPng } from './label.preview.ts';
import { bitmapToGfa, gfaToBitmap, rasterizeSymbol, symbolOfField } from './label.symbols.ts';
import { LabelRenderError, renderLabel } from './label.template.ts';
import { loadLabelTemplates } from './label.templates.ts';
import { parseZplLabels } from './zpl.fields.ts';

const templates = loadLabelTemplates(join(import.meta.dirname, '../../../../firmware-config/labels'));
const lot = templates.get('lot-label')!;
const serial = templates.get('serial-label')!;

describe('label templates', () => {
  it('fills variables and keeps ^XA … ^XZ with the data in its fields', () => {
    const zpl = renderLabel(lot, { gtin: '09501101530003', lot: 'L-1', station: 'goods-in' });
    const [label] = parseZplLabels(zpl);
    expect(label!.quantity).toBe(1);
    const barcode = label!.fields.find((f) => f.kind === 'barcode')!;
    expect(barcode).toMatchObject({ command: 'BC', data: '(01)09501101530003(10)L-1', x: 30, y: 170 });
  });

  it('fails clearly when a required variable is missing', () => {
    expect(() => renderLabel(lot, { gtin: '09501101530003' })).toThrow(
      new LabelRenderError('label lot-label: missing variable(s) lot, station'),
    );
  });

  it('hex-escapes values so data cannot inject ZPL commands', () => {
    const zpl = renderLabel(lot, { gtin: '09501101530003', lot: 'X^XZ~JA_é', station: 's' });
    expect(zpl).not.toContain('X^XZ');
    expect(zpl).not.toContain('~JA');
    expect(zpl).toContain('X_5EXZ_7EJA_5F_E9');
    expect(parseZplLabels(zpl)).toHaveLength(1);
    expect(parseZplLabels(zpl)[0]!.fields.map((f) => f.data)).toContain('Lot X^XZ~JA_é');
  });

  it('refuses a value that would become part of a command', () => {
    expect(() => renderLabel(lot, { gtin: '1', lot: '2', station: 's', copies: '1^XA' })).toThrow(
      /used in a command/,
    );
  });
});

describe('barcodes the printer lacks', () => {
  const zpl = renderLabel(serial, { gtin: '09501101530003', serial: 'SN123', workOrder: 'WO-1' });

  it('maps native fields to bwip-js symbols', () => {
    const specs = parseZplLabels(zpl)[0]!.fields.flatMap((f) => symbolOfField(f) ?? []);
    expect(specs.map((s) => s.symbology)).toEqual(['gs1datamatrix', 'qrcode']);
    expect(specs[0]!.text).toBe('^FNC10109501101530003' + '21SN123');
  });

  it('replaces only the missing symbology by a ^GFA graphic at the same place', () => {
    const out = rasterizeMissingSymbologies(zpl, ['code128', 'qrcode']);
    const fields = parseZplLabels(out)[0]!.fields;
    expect(fields.map((f) => f.command ?? f.kind)).toEqual(['text', 'text', 'text', 'GF', 'BQ']);
    expect(fields[3]).toMatchObject({ x: 30, y: 150 });
    expect(out).toMatch(/\^FO30,150\^GFA,\d+,\d+,\d+,[0-9A-F]+\^FS/);
    expect(rasterizeMissingSymbologies(zpl, ['gs1datamatrix', 'qrcode'])).toBe(zpl);
  });

  it('round-trips a bitmap through ^GFA (1 bit per dot, rows padded to bytes)', () => {
    const bitmap = rasterizeSymbol({
      symbology: 'code128',
      bcid: 'code128',
      text: 'ABC',
      parsefnc: false,
      moduleDots: 2,
      heightDots: 5,
    });
    const back = gfaToBitmap(
      bitmapToGfa(bitmap)
        .slice(1)
        .split(',')
        .map((p, i) => (i === 0 ? 'A' : p)),
    )!;
    expect(back.height).toBe(bitmap.height);
    for (let y = 0; y < bitmap.height; y++) {
      for (let x = 0; x < bitmap.width; x++)
        expect(back.pixels[y * back.width + x]).toBe(bitmap.pixels[y * bitmap.width + x]);
    }
  });
});

describe('preview', () => {
  it('draws a PNG of the label size with ink where the barcodes and text are', () => {
    const zpl = renderLabel(lot, { gtin: '09501101530003', lot: 'L-1', station: 'goods-in' });
    const png = previewLabelPng(zpl, { widthDots: 812, heightDots: 406 });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(812);
    expect(png.readUInt32BE(20)).toBe(406);
    const idat = png.indexOf('IDAT');
    const rows = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    const dark = (y: number) => rows.subarray(y * 813 + 1, (y + 1) * 813).some((v) => v < 128);
    expect(dark(220)).toBe(true); // the GS1-128 bars
    expect(dark(40)).toBe(true); // the title text
    expect(dark(390)).toBe(false);
  });
});
