import { daysInMonth, fullYearFromYY, twoDigits } from './dates.ts';
import type { LintContext, Linter, LintFailure } from './linters.types.ts';

function checkMonthDay(
  value: string,
  monthAt: number,
  year: number,
  allowDayZero: boolean,
): LintFailure | undefined {
  const month = twoDigits(value, monthAt);
  if (month < 1 || month > 12) {
    return {
      offset: monthAt,
      reason: `invalid date "${value}": month ${value.slice(monthAt, monthAt + 2)} not in 01-12`,
    };
  }
  const day = twoDigits(value, monthAt + 2);
  if (day === 0 && allowDayZero) return undefined;
  const lastDay = daysInMonth(year, month);
  if (day < 1 || day > lastDay) {
    const yearMonth = `${year}-${value.slice(monthAt, monthAt + 2)}`;
    return {
      offset: monthAt + 2,
      reason: `invalid date "${value}": day ${value.slice(monthAt + 2, monthAt + 4)} not in 01-${lastDay} for ${yearMonth}`,
    };
  }
  return undefined;
}

const yymmdd: Linter = (value: string, context: LintContext) =>
  checkMonthDay(value, 2, fullYearFromYY(twoDigits(value, 0), context.currentYear()), false);

const yymmd0: Linter = (value: string, context: LintContext) =>
  checkMonthDay(value, 2, fullYearFromYY(twoDigits(value, 0), context.currentYear()), true);

const yyyymmdd: Linter = (value: string) =>
  checkMonthDay(value, 4, twoDigits(value, 0) * 100 + twoDigits(value, 2), false);

function range(name: string, max: number, at = 0): Linter {
  return (value: string) => {
    const number = twoDigits(value, at);
    return number <= max
      ? undefined
      : { offset: at, reason: `invalid ${name} ${value.slice(at, at + 2)}, expected 00-${max}` };
  };
}

const hour = range('hour', 23);
const minute = range('minute', 59);
const minuteAfterHour = range('minute', 59, 2);

export const dateLinters: Record<string, Linter> = {
  yymmdd,
  yymmd0,
  yyyymmdd,
  hh: hour,
  mi: minute,
  mm: minute,
  ss: range('second', 59),
  hhmi: (value, context) => hour(value, context) ?? minuteAfterHour(value, context),
  hhmm: (value, context) => hour(value, context) ?? minuteAfterHour(value, context),
};

/** Format hints shown in length errors, e.g. "6 digits (YYMMDD)". */
export const linterHints: Record<string, string> = {
  yymmdd: 'YYMMDD',
  yymmd0: 'YYMMDD',
  yyyymmdd: 'YYYYMMDD',
  hhmi: 'HHMM',
  hhmm: 'HHMM',
  hh: 'HH',
  mi: 'MM',
  mm: 'MM',
  ss: 'SS',
};
