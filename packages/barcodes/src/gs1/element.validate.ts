import type { CompiledAi } from './ai-table.ts';
import { describeChar, firstOutside } from './charsets.ts';
import type { LintContext } from './linters.types.ts';

export interface ValueFailure {
  /** Offset within the element's data. */
  offset: number;
  reason: string;
  /** The data ran past what the AI allows: a sign of a missing separator. */
  tooLong: boolean;
}

/** Checks data against the AI's components: length, character set, then each linter. */
export function validateValue(ai: CompiledAi, value: string, context: LintContext): ValueFailure | undefined {
  let offset = 0;
  for (const component of ai.components) {
    const remaining = value.length - offset;
    if (remaining === 0 && component.optional) break;
    let length = component.maxLength;
    if (component.minLength === component.maxLength) {
      if (remaining < length) {
        return failure(offset, `expected ${component.expectation}, got "${value.slice(offset)}"`, false);
      }
    } else if (remaining > component.maxLength) {
      return failure(
        offset + component.maxLength,
        `expected ${component.expectation}, got ${remaining} (missing GS separator?)`,
        true,
      );
    } else if (remaining < component.minLength) {
      return failure(offset, `missing data, expected ${component.expectation}`, false);
    } else {
      length = remaining;
    }
    const part = length === value.length ? value : value.slice(offset, offset + length);
    const badAt = firstOutside(component.charset.table, part);
    if (badAt >= 0) {
      const code = part.charCodeAt(badAt);
      return failure(
        offset + badAt,
        `character ${describeChar(code)} not allowed, expected ${component.expectation}`,
        false,
      );
    }
    for (const linter of component.linters) {
      const lint = linter(part, context);
      if (lint) return failure(offset + lint.offset, lint.reason, false);
    }
    offset += length;
  }
  if (offset < value.length) {
    return failure(offset, `unexpected data after ${offset} characters "${value.slice(offset)}"`, true);
  }
  return undefined;
}

function failure(offset: number, reason: string, tooLong: boolean): ValueFailure {
  return { offset, reason, tooLong };
}
