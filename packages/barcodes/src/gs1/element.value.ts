import type { CompiledAi } from './ai-table.ts';
import { daysInMonth, fullYearFromYY, twoDigits } from './dates.ts';
import type { GS1Element } from './element.types.ts';
import type { LintContext } from './linters.types.ts';

const powersOfTen = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/** Turns validated data into an element with a typed value. */
export function toElement(ai: CompiledAi, raw: string, context: LintContext): GS1Element {
  switch (ai.valueKind) {
    case 'decimal': {
      const decimal = Number(raw) / powersOfTen[ai.decimalPlaces]!;
      return { ai: ai.ai, title: ai.title, raw, value: decimal, decimal, decimalPlaces: ai.decimalPlaces };
    }
    case 'decimal-with-currency': {
      const decimal = Number(raw.slice(3)) / powersOfTen[ai.decimalPlaces]!;
      const currency = raw.slice(0, 3);
      return {
        ai: ai.ai,
        title: ai.title,
        raw,
        value: decimal,
        decimal,
        decimalPlaces: ai.decimalPlaces,
        currency,
      };
    }
    case 'date':
      return { ai: ai.ai, title: ai.title, raw, value: toDate(raw, ai, context) };
    case 'integer':
      return { ai: ai.ai, title: ai.title, raw, value: Number(raw) };
    default:
      return { ai: ai.ai, title: ai.title, raw, value: raw };
  }
}

function toDate(raw: string, ai: CompiledAi, context: LintContext): Date {
  const dateLength = ai.components[0]!.maxLength;
  const year =
    dateLength === 8
      ? twoDigits(raw, 0) * 100 + twoDigits(raw, 2)
      : fullYearFromYY(twoDigits(raw, 0), context.currentYear());
  const month = twoDigits(raw, dateLength - 4);
  const dayDigits = twoDigits(raw, dateLength - 2);
  // DD=00 means the last day of the month (yymmd0).
  const day = dayDigits === 0 ? daysInMonth(year, month) : dayDigits;
  const hours = raw.length >= dateLength + 2 ? twoDigits(raw, dateLength) : 0;
  const minutes = raw.length >= dateLength + 4 ? twoDigits(raw, dateLength + 2) : 0;
  const seconds = raw.length >= dateLength + 6 ? twoDigits(raw, dateLength + 4) : 0;
  const date = new Date(Date.UTC(2000, month - 1, day, hours, minutes, seconds));
  date.setUTCFullYear(year);
  return date;
}
