export interface GS1Element {
  ai: string;
  title: string;
  /** The element's data as carried, without the AI. */
  raw: string;
  /** Date (UTC) for date AIs, number for decimal and count AIs, otherwise the data string. */
  value: string | number | Date;
  /** For decimal AIs (310n–369n, 390n–395n): the value with the AI's implied decimal point applied. */
  decimal?: number;
  /** For decimal AIs: digits after the decimal point (the AI's last digit). */
  decimalPlaces?: number;
  /** For amounts with currency (391n, 393n): the ISO 4217 numeric currency code. */
  currency?: string;
}

export interface Clock {
  now(): Date;
}

export interface GS1ParseOptions {
  /** The character standing for FNC1 between elements; default GS (0x1D). */
  separator?: string;
  /** Supplies the current year for the two-digit-year century rule. */
  clock?: Clock;
}
