import bwipjs from 'bwip-js';
import { type Bitmap, gfaToBitmap, rasterizeSymbol, symbolOfField } from './label.symbols.ts';
import { encodeGreyPng } from './png.encode.ts';
import { parseZplLabels, type ZplField } from './zpl.fields.ts';

export interface PreviewOptions {
  widthDots: number;
  heightDots: number;
}

interface Canvas {
  width: number;
  height: number;
  grey: Uint8Array;
}

/**
 * A PNG of the first label in `zpl` at printer resolution: barcodes drawn by bwip-js, ^GFA graphics
 * decoded, text fields in OCR-B at their ^A height. It shows content and layout, not the printer's fonts.
 */
export function previewLabelPng(zpl: string, { widthDots, heightDots }: PreviewOptions): Buffer {
  const canvas: Canvas = {
    width: widthDots,
    height: heightDots,
    grey: new Uint8Array(widthDots * heightDots).fill(255),
  };
  const [label] = parseZplLabels(zpl);
  for (const field of label?.fields ?? []) drawField(canvas, field);
  return encodeGreyPng(canvas.width, canvas.height, canvas.grey);
}

function drawField(canvas: Canvas, field: ZplField): void {
  if (field.kind === 'graphic') {
    const bitmap = gfaToBitmap(field.params);
    if (bitmap) drawBitmap(canvas, bitmap, field.x, field.y);
    return;
  }
  if (field.kind === 'barcode') {
    const spec = symbolOfField(field);
    if (!spec) {
      drawText(canvas, `[${field.command}] ${field.data}`, field.x, field.y, 20);
      return;
    }
    try {
      drawBitmap(canvas, rasterizeSymbol(spec), field.x, field.y);
    } catch (error) {
      drawText(canvas, `[${spec.symbology}: ${(error as Error).message}]`, field.x, field.y, 20);
    }
    return;
  }
  drawText(canvas, field.data, field.x, field.y, field.fontHeight);
}

function drawBitmap(canvas: Canvas, bitmap: Bitmap, left: number, top: number): void {
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      if (bitmap.pixels[y * bitmap.width + x]) setPixel(canvas, left + x, top + y, 255);
    }
  }
}

function drawText(canvas: Canvas, text: string, left: number, top: number, heightDots: number): void {
  const font = bwipjs.FontLib.lookup('OCR-B');
  const size = Math.max(8, Math.round(heightDots * 0.8));
  const baseline = top + size;
  let x = left;
  for (let i = 0; i < text.length; i++) {
    const glyph = bwipjs.FontLib.getglyph(font, text.charCodeAt(i), size, size);
    for (let gy = 0; gy < glyph.height; gy++) {
      for (let gx = 0; gx < glyph.width; gx++) {
        const alpha = glyph.bytes[glyph.offset + gy * glyph.width + gx] ?? 0;
        if (alpha) setPixel(canvas, x + glyph.left + gx, baseline - glyph.top + gy, alpha);
      }
    }
    x += glyph.advance;
  }
}

/** Darkens a pixel by `ink` (0..255); outside the label is ignored, as on paper. */
function setPixel(canvas: Canvas, x: number, y: number, ink: number): void {
  if (x < 0 || y < 0 || x >= canvas.width || y >= canvas.height) return;
  const i = y * canvas.width + x;
  canvas.grey[i] = Math.min(canvas.grey[i]!, 255 - ink);
}
