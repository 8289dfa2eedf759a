/** GS1 General Specifications 7.12: a two-digit year lies within 49 years ahead or 50 years behind the current year. */
export function fullYearFromYY(yy: number, currentYear: number): number {
  const century = currentYear - (currentYear % 100);
  const ahead = yy - (currentYear % 100);
  if (ahead >= 51) return century - 100 + yy;
  if (ahead <= -50) return century + 100 + yy;
  return century + yy;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function twoDigits(value: string, at: number): number {
  return (value.charCodeAt(at) - 48) * 10 + (value.charCodeAt(at + 1) - 48);
}
