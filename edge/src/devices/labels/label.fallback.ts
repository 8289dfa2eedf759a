import type { Symbology } from '@unison/config';
import { bitmapToGfa, rasterizeSymbol, symbolOfField } from './label.symbols.ts';
import { parseZplLabels } from './zpl.fields.ts';

/**
 * Replaces each barcode field whose symbology the printer lacks with the same symbol drawn by
 * bwip-js as a ^GFA graphic at the same position; fields the printer draws itself stay native.
 */
export function rasterizeMissingSymbologies(zpl: string, native: readonly Symbology[]): string {
  const replacements: { start: number; end: number; text: string }[] = [];
  for (const label of parseZplLabels(zpl)) {
    for (const field of label.fields) {
      const spec = field.kind === 'barcode' ? symbolOfField(field) : undefined;
      if (!spec || native.includes(spec.symbology)) continue;
      const graphic = bitmapToGfa(rasterizeSymbol(spec));
      replacements.push({
        start: field.start,
        end: field.end,
        text: `^FO${field.x},${field.y}${graphic}^FS`,
      });
    }
  }
  let out = zpl;
  for (const { start, end, text } of replacements.reverse())
    out = out.slice(0, start) + text + out.slice(end);
  return out;
}
