import type { Symbology } from '@unison/config';
import bwipjs from 'bwip-js';
import type { ZplField } from './zpl.fields.ts';

/** What bwip-js needs to draw a ZPL barcode field, and its size in printer dots. */
export interface SymbolSpec {
  symbology: Symbology;
  bcid: string;
  text: string;
  parsefnc: boolean;
  /** Dots per module (bar or cell). */
  moduleDots: number;
  /** Bar height in dots, for linear symbols. */
  heightDots: number;
}

/** A black-and-white image, one byte per pixel (1 = black). */
export interface Bitmap {
  width: number;
  height: number;
  pixels: Uint8Array;
}

const int = (value: string | undefined, fallback: number) => {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

/** Maps a native ZPL barcode field (^BC, ^BX, ^BQ) to a bwip-js symbol; undefined for anything else. */
export function symbolOfField(field: ZplField): SymbolSpec | undefined {
  const p = field.params;
  if (field.command === 'BC') {
    // ^BCo,h,f,g,e,m: mode D is GS1-128 with AIs written in parentheses.
    const gs1 = (p[5] ?? '').toUpperCase() === 'D';
    return {
      symbology: gs1 ? 'gs1-128' : 'code128',
      bcid: gs1 ? 'gs1-128' : 'code128',
      text: field.data,
      parsefnc: false,
      moduleDots: field.moduleWidth,
      heightDots: int(p[1], field.barHeight),
    };
  }
  if (field.command === 'BX') {
    // ^BXo,h,s,c,r,f,g: with escape character g, `g1` is FNC1; a leading FNC1 makes it GS1 DataMatrix.
    const escapeChar = p[6] ?? '';
    const fnc1 = escapeChar ? `${escapeChar}1` : undefined;
    const gs1 = fnc1 !== undefined && field.data.startsWith(fnc1);
    const text = fnc1 ? field.data.replaceAll('^', '^094').split(fnc1).join('^FNC1') : field.data;
    return {
      symbology: gs1 ? 'gs1datamatrix' : 'datamatrix',
      bcid: 'datamatrix',
      text,
      parsefnc: fnc1 !== undefined,
      moduleDots: int(p[1], 5),
      heightDots: 0,
    };
  }
  if (field.command === 'BQ') {
    // ^BQo,2,m with field data `<error correction><input mode>,<data>`.
    const comma = field.data.indexOf(',');
    return {
      symbology: 'qrcode',
      bcid: 'qrcode',
      text: comma >= 0 && comma <= 3 ? field.data.slice(comma + 1) : field.data,
      parsefnc: false,
      moduleDots: int(p[2], 3),
      heightDots: 0,
    };
  }
  return undefined;
}

/** Draws the symbol with bwip-js at printer resolution (no quiet zone, no human-readable text). */
export function rasterizeSymbol(spec: SymbolSpec): Bitmap {
  const [symbol] = bwipjs.raw({ bcid: spec.bcid, text: spec.text, parsefnc: spec.parsefnc });
  if (!symbol) throw new Error(`bwip-js drew nothing for ${spec.bcid}`);
  const m = spec.moduleDots;
  if ('pixs' in symbol) {
    const bitmap = blank(symbol.pixx * m, symbol.pixy * m);
    for (let row = 0; row < symbol.pixy; row++) {
      for (let col = 0; col < symbol.pixx; col++) {
        if (symbol.pixs[row * symbol.pixx + col]) fill(bitmap, col * m, row * m, m, m);
      }
    }
    return bitmap;
  }
  // Linear symbols: `sbs` alternates bar and space widths in modules, starting with a bar.
  const widths = symbol.sbs;
  const bitmap = blank(widths.reduce((sum, w) => sum + w, 0) * m, spec.heightDots);
  let x = 0;
  widths.forEach((w, i) => {
    if (i % 2 === 0) fill(bitmap, x, 0, w * m, spec.heightDots);
    x += w * m;
  });
  return bitmap;
}

export function blank(width: number, height: number): Bitmap {
  return { width, height, pixels: new Uint8Array(width * height) };
}

function fill(bitmap: Bitmap, x: number, y: number, w: number, h: number): void {
  for (let row = y; row < y + h; row++)
    bitmap.pixels.fill(1, row * bitmap.width + x, row * bitmap.width + x + w);
}

/** ZPL ^GFA (ASCII hex) for a bitmap: total bytes, bytes per row, rows of 1-bit pixels MSB first. */
export function bitmapToGfa(bitmap: Bitmap): string {
  const bytesPerRow = Math.ceil(bitmap.width / 8);
  const bytes = Buffer.alloc(bytesPerRow * bitmap.height);
  for (let row = 0; row < bitmap.height; row++) {
    for (let col = 0; col < bitmap.width; col++) {
      if (bitmap.pixels[row * bitmap.width + col])
        bytes[row * bytesPerRow + (col >> 3)]! |= 0x80 >> (col & 7);
    }
  }
  return `^GFA,${bytes.length},${bytes.length},${bytesPerRow},${bytes.toString('hex').toUpperCase()}`;
}

/** Reads a ^GFA graphic back into a bitmap (for previews). */
export function gfaToBitmap(params: string[]): Bitmap | undefined {
  const bytesPerRow = Number.parseInt(params[3] ?? '', 10);
  const hex = (params.slice(4).join(',') || '').replace(/[^0-9A-Fa-f]/g, '');
  if (!(bytesPerRow > 0) || (params[0] ?? 'A').toUpperCase() !== 'A') return undefined;
  const bytes = Buffer.from(hex, 'hex');
  const height = Math.floor(bytes.length / bytesPerRow);
  const bitmap = blank(bytesPerRow * 8, height);
  for (let i = 0; i < bytesPerRow * height; i++) {
    for (let bit = 0; bit < 8; bit++) if (bytes[i]! & (0x80 >> bit)) bitmap.pixels[i * 8 + bit] = 1;
  }
  return bitmap;
}
