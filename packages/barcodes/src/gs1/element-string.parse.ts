import { fail, ok, type Result } from '../result.ts';
import { checkAssociations } from './associations.ts';
import type { GS1Element, GS1ParseOptions } from './element.types.ts';
import { toElement } from './element.value.ts';
import { findForbiddenByte, scanElements } from './element-string.scan.ts';
import { lintContextFor } from './lint-context.ts';

const GS = 0x1d;

/** Parses a GS1 element string (as scanned, FNC1 sent as GS); a single leading separator is skipped. */
export function parseGS1ElementString(data: string, options: GS1ParseOptions = {}): Result<GS1Element[]> {
  const separatorCode = options.separator === undefined ? GS : separatorCodeOf(options.separator);
  const forbidden = findForbiddenByte(data, separatorCode);
  if (!forbidden.ok) return forbidden;
  const context = lintContextFor(options.clock);
  const start = data.charCodeAt(0) === separatorCode ? 1 : 0;
  const scanned = scanElements(data, start, separatorCode, context, true);
  if (!scanned.ok) return scanned;
  const associationError = checkAssociations(scanned.value);
  if (associationError) return fail(associationError.reason, associationError.position);
  return ok(scanned.value.map((element) => toElement(element.ai, element.raw, context)));
}

function separatorCodeOf(separator: string): number {
  if (separator.length !== 1) throw new RangeError('separator must be a single character');
  return separator.charCodeAt(0);
}
