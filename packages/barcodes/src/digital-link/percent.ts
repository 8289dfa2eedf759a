import { hex2 } from '../gs1/charsets.ts';
import { fail, ok, type Result } from '../result.ts';

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** Decodes %XX escapes to single bytes; positions in errors are indexes into the URI. */
export function percentDecode(raw: string, start: number): Result<string> {
  if (!raw.includes('%')) return ok(raw);
  let decoded = '';
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) !== 37 /* % */) {
      decoded += raw[i];
      continue;
    }
    const high = hexValue(raw.charCodeAt(i + 1));
    const low = hexValue(raw.charCodeAt(i + 2));
    if (high < 0 || low < 0) return fail('"%" not followed by two hex digits', start + i);
    const byte = high * 16 + low;
    if (byte > 0x7f) return fail(`percent-encoded byte 0x${hex2(byte)} not allowed in GS1 data`, start + i);
    if (byte < 0x20 || byte === 0x7f)
      return fail(`percent-encoded control character 0x${hex2(byte)} not allowed`, start + i);
    decoded += String.fromCharCode(byte);
    i += 2;
  }
  return ok(decoded);
}

/** Maps an offset in decoded text back to the offset in the percent-encoded text. */
export function encodedOffset(raw: string, decodedOffset: number): number {
  let rawIndex = 0;
  for (let decodedIndex = 0; decodedIndex < decodedOffset && rawIndex < raw.length; decodedIndex++) {
    rawIndex += raw.charCodeAt(rawIndex) === 37 ? 3 : 1;
  }
  return rawIndex;
}
