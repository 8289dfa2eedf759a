import { aiTable, type CompiledAi } from '../gs1/ai-table.ts';
import { checkAssociations, type PlacedElement } from '../gs1/associations.ts';
import type { Clock, GS1Element } from '../gs1/element.types.ts';
import { validateValue } from '../gs1/element.validate.ts';
import { toElement } from '../gs1/element.value.ts';
import { lintContextFor } from '../gs1/lint-context.ts';
import type { LintContext } from '../gs1/linters.types.ts';
import { fail, ok, type Result } from '../result.ts';
import { encodedOffset, percentDecode } from './percent.ts';
import { type Part, splitUri } from './uri.split.ts';

const numeric = /^\d+$/;

/** Parses a GS1 Digital Link URI: /{primary key AI}/{value}[/{qualifier AI}/{value}…][?{AI}={value}…]. */
export function parseGS1DigitalLink(uri: string, options: { clock?: Clock } = {}): Result<GS1Element[]> {
  const split = splitUri(uri);
  if (!split.ok) return split;
  const { segments, query, pathStart } = split.value;
  const context = lintContextFor(options.clock);

  const empty = segments.find((segment) => segment.text === '');
  if (empty) return fail('empty path segment', empty.position);
  const pathElements: PlacedElement[] = [];
  let primaryAt = -1;
  for (let i = segments.length - 2; i >= 0; i -= 2) {
    const ai = aiTable.get(segments[i]!.text);
    if (!ai) break;
    const element = placeElement(ai, segments[i]!, segments[i + 1]!, context);
    if (!element.ok) return element;
    pathElements.unshift(element.value);
    if (ai.dlpkey) {
      primaryAt = i;
      break;
    }
  }
  if (primaryAt < 0)
    return fail('no GS1 Digital Link primary key (such as /01/<GTIN>) in the path', pathStart);
  const orderError = checkQualifierOrder(pathElements);
  if (orderError) return orderError;

  const elements = [...pathElements];
  for (const { key, value } of query) {
    if (!numeric.test(key.text)) continue;
    const ai = aiTable.get(key.text);
    if (!ai) return fail(`unknown AI (${key.text}) in query`, key.position);
    if (!ai.dlDataAttribute)
      return fail(`AI (${key.text}) not allowed as a Digital Link data attribute`, key.position);
    const element = placeElement(ai, key, value, context);
    if (!element.ok) return element;
    elements.push(element.value);
  }
  const associationError = checkAssociations(elements);
  if (associationError) return fail(associationError.reason, associationError.position);
  return ok(elements.map((element) => toElement(element.ai, element.raw, context)));
}

function placeElement(ai: CompiledAi, key: Part, encoded: Part, context: LintContext): Result<PlacedElement> {
  const decoded = percentDecode(encoded.text, encoded.position);
  if (!decoded.ok) return decoded;
  let raw = decoded.value;
  // Digital Link carries GTIN-8, -12 and -13 as they are; the element string form is 14 digits.
  const padding =
    ai.ai === '01' && numeric.test(raw) && [8, 12, 13].includes(raw.length) ? 14 - raw.length : 0;
  if (padding > 0) raw = raw.padStart(14, '0');
  const failure = validateValue(ai, raw, context);
  if (failure) {
    const offset = encodedOffset(encoded.text, Math.max(0, failure.offset - padding));
    return fail(`AI (${ai.ai}): ${failure.reason}`, encoded.position + offset);
  }
  return ok({ ai, raw, position: key.position });
}

function isOrderedSubset(qualifiers: readonly string[], sequence: readonly string[]): boolean {
  let at = 0;
  for (const qualifier of qualifiers) {
    at = sequence.indexOf(qualifier, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

function checkQualifierOrder(path: readonly PlacedElement[]): Result<never> | undefined {
  const [primary, ...qualifiers] = path;
  const sequences = primary!.ai.dlpkey!;
  const seen: string[] = [];
  for (const qualifier of qualifiers) {
    seen.push(qualifier.ai.ai);
    if (sequences.some((sequence) => isOrderedSubset(seen, sequence))) continue;
    const allowed = sequences
      .filter((sequence) => sequence.length > 0)
      .map((sequence) => sequence.join(', '));
    const expected = allowed.length > 0 ? `qualifiers in the order ${allowed.join(' or ')}` : 'no qualifiers';
    return fail(
      `AI (${qualifier.ai.ai}) not allowed here as a key qualifier of (${primary!.ai.ai}): expected ${expected}`,
      qualifier.position,
    );
  }
  return undefined;
}
