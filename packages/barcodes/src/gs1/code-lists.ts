import currencyCodes from 'currency-codes';
import countries from 'i18n-iso-countries';

export const iso3166Numeric: ReadonlySet<string> = new Set(Object.keys(countries.getNumericCodes()));
export const iso3166Alpha2: ReadonlySet<string> = new Set(Object.keys(countries.getAlpha2Codes()));
export const iso4217Numeric: ReadonlySet<string> = new Set(
  currencyCodes.data.map((currency) => currency.number).filter((number) => /^\d{3}$/.test(number)),
);
/** AIDC media types (AI 7241): ICCBBA assignments 01–10 and local use 80–99. */
export const aidcMediaTypes: ReadonlySet<string> = new Set([
  ...Array.from({ length: 10 }, (_, i) => String(i + 1).padStart(2, '0')),
  ...Array.from({ length: 20 }, (_, i) => String(80 + i)),
]);
