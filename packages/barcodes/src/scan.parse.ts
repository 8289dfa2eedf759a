import { type AimId, parseAimId } from './aim/aim.parse.ts';
import { parseGS1DigitalLink } from './digital-link/digital-link.parse.ts';
import { aiTable } from './gs1/ai-table.ts';
import { gs1CheckDigit } from './gs1/check-digit.ts';
import type { GS1Element, GS1ParseOptions } from './gs1/element.types.ts';
import { parseGS1ElementString } from './gs1/element-string.parse.ts';
import { fail, ok, type Result } from './result.ts';

export interface Scan {
  aim?: AimId;
  kind: 'gs1' | 'digital-link' | 'plain';
  /** The data after the AIM identifier. */
  text: string;
  elements?: GS1Element[];
}

const GS = '\x1d';

/** Routes a scan by its AIM identifier and content: GS1 element string, GS1 Digital Link, EAN/UPC, or plain text. */
export function parseScan(input: string, options: Omit<GS1ParseOptions, 'separator'> = {}): Result<Scan> {
  const { aim, data } = parseAimId(input);
  const offset = aim ? aim.code.length : 0;
  const base = aim ? { aim } : {};
  if (aim?.gs1 || data.startsWith(GS)) {
    const parsed = parseGS1ElementString(data, options);
    if (!parsed.ok) return fail(parsed.error.reason, parsed.error.position + offset);
    return ok({ ...base, kind: 'gs1', text: data, elements: parsed.value });
  }
  if (aim?.code === ']E0' || aim?.code === ']E3' || aim?.code === ']E4')
    return parseEanUpc(aim, data, offset);
  if (looksLikeDigitalLink(data)) {
    const parsed = parseGS1DigitalLink(data, options);
    if (!parsed.ok) return fail(parsed.error.reason, parsed.error.position + offset);
    return ok({ ...base, kind: 'digital-link', text: data, elements: parsed.value });
  }
  return ok({ ...base, kind: 'plain', text: data });
}

/** An http(s) URI with a path segment naming a Digital Link primary key AI followed by a value. */
function looksLikeDigitalLink(data: string): boolean {
  if (!/^https?:\/\//i.test(data)) return false;
  const path = data.replace(/^https?:\/\/[^/?#]*/i, '').split(/[?#]/)[0]!;
  const segments = path.split('/');
  return segments.some((segment, i) => i + 1 < segments.length && Boolean(aiTable.get(segment)?.dlpkey));
}

function parseEanUpc(aim: AimId, data: string, offset: number): Result<Scan> {
  const digits = aim.code === ']E3' ? data.slice(0, 13) : data;
  const expectedLength = aim.code === ']E4' ? [8] : [12, 13];
  if (!/^\d+$/.test(digits) || !expectedLength.includes(digits.length)) {
    return fail(`${aim.symbology}: expected ${expectedLength.join(' or ')} digits`, offset);
  }
  const last = digits.length - 1;
  const expected = gs1CheckDigit(digits.slice(0, last));
  if (Number(digits[last]) !== expected) {
    return fail(`${aim.symbology}: check digit ${digits[last]} wrong, expected ${expected}`, offset + last);
  }
  const gtin = digits.padStart(14, '0');
  const title = aiTable.get('01')!.title;
  return ok({ aim, kind: 'gs1', text: data, elements: [{ ai: '01', title, raw: gtin, value: gtin }] });
}
