import { fail, ok, type Result } from '../result.ts';
import { type CompiledAi, lookupAi } from './ai-table.ts';
import type { PlacedElement } from './associations.ts';
import { hex2 } from './charsets.ts';
import { validateValue } from './element.validate.ts';
import type { LintContext } from './linters.types.ts';

/** Rejects any character outside printable ASCII except the separator, at its position. */
export function findForbiddenByte(data: string, separatorCode: number): Result<null> {
  for (let i = 0; i < data.length; i++) {
    const code = data.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f) continue;
    if (code === separatorCode) continue;
    if (code > 0x7f) return fail(`byte 0x${hex2(code)} not allowed in GS1 data`, i);
    return fail(`control character 0x${hex2(code)} not allowed in GS1 data`, i);
  }
  return ok(null);
}

/** Splits an element string into validated elements; positions are indexes into data. */
export function scanElements(
  data: string,
  start: number,
  separatorCode: number,
  context: LintContext,
  diagnose: boolean,
): Result<PlacedElement[]> {
  const elements: PlacedElement[] = [];
  let position = start;
  if (position >= data.length) return fail('empty GS1 element string', position);
  while (position < data.length) {
    if (data.charCodeAt(position) === separatorCode)
      return fail('empty element: separator not followed by an AI', position);
    const ai = lookupAi(data, position);
    if (!ai) return unknownAi(data, position);
    const valueStart = position + ai.ai.length;
    let end: number;
    if (ai.fnc1Required) {
      end = data.indexOf(String.fromCharCode(separatorCode), valueStart);
      if (end < 0) end = data.length;
    } else {
      end = Math.min(valueStart + ai.fixedLength, data.length);
      for (let i = valueStart; i < end; i++) {
        if (data.charCodeAt(i) === separatorCode) end = i;
      }
    }
    const raw = data.slice(valueStart, end);
    const failure = validateValue(ai, raw, context);
    if (failure) {
      const diagnosis =
        ai.fnc1Required && diagnose
          ? diagnoseMissingSeparator(ai, data, valueStart, end, separatorCode, context)
          : undefined;
      if (diagnosis) {
        const field = ai.fixedLength > 0 ? 'field' : 'variable-length field';
        return fail(
          `AI (${ai.ai}): ${field} not terminated by GS before ${diagnosis.ais}`,
          diagnosis.position,
        );
      }
      return fail(`AI (${ai.ai}): ${failure.reason}`, valueStart + failure.offset);
    }
    elements.push({ ai, raw, position });
    position = end;
    if (position < data.length && data.charCodeAt(position) === separatorCode) position++;
  }
  return ok(elements);
}

function unknownAi(data: string, position: number): Result<PlacedElement[]> {
  let digits = 0;
  while (digits < 4 && isDigit(data.charCodeAt(position + digits))) digits++;
  if (digits < 2)
    return fail(`expected an AI (2 to 4 digits), got "${data.slice(position, position + 4)}"`, position);
  return fail(
    `unknown AI: no GS1 Application Identifier starts "${data.slice(position, position + digits)}"`,
    position,
  );
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Finds where the next AI would start if the separator had been sent: the data before it must be valid
 * for the field and everything after it must parse. Every such split is named; none is chosen.
 */
function diagnoseMissingSeparator(
  fieldAi: CompiledAi,
  data: string,
  valueStart: number,
  end: number,
  separatorCode: number,
  context: LintContext,
): { ais: string; position: number } | undefined {
  const candidates: { ai: string; position: number }[] = [];
  for (let split = valueStart + 1; split < end; split++) {
    if (validateValue(fieldAi, data.slice(valueStart, split), context)) continue;
    const rest = scanElements(data, split, separatorCode, context, false);
    if (rest.ok) candidates.push({ ai: rest.value[0]!.ai.ai, position: split });
  }
  if (candidates.length === 0) return undefined;
  return {
    ais: candidates.map((candidate) => `AI (${candidate.ai})`).join(' or '),
    position: candidates[0]!.position,
  };
}
