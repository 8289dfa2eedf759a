import { charsets, cset64, firstOutside } from './charsets.ts';
import { gs1CheckDigit, gs1CheckPair } from './check-digit.ts';
import { aidcMediaTypes, iso3166Alpha2, iso3166Numeric, iso4217Numeric } from './code-lists.ts';
import { dateLinters } from './linters.dates.ts';
import type { Linter, LintFailure } from './linters.types.ts';

const gcpMinLength = 4;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const csum: Linter = (value) => {
  const last = value.length - 1;
  const expected = gs1CheckDigit(value.slice(0, last));
  const actual = value.charCodeAt(last) - 48;
  return actual === expected
    ? undefined
    : { offset: last, reason: `check digit ${actual} wrong, expected ${expected}` };
};

const csumalpha: Linter = (value) => {
  if (value.length < 2) return { offset: 0, reason: 'too short for the check character pair' };
  const at = value.length - 2;
  const expected = gs1CheckPair(value.slice(0, at));
  const actual = value.slice(at);
  return actual === expected
    ? undefined
    : { offset: at, reason: `check character pair "${actual}" wrong, expected "${expected}"` };
};

function gcpAt(start: number): Linter {
  return (value) => {
    if (value.length < start + gcpMinLength) {
      return { offset: 0, reason: `too short to hold a GS1 Company Prefix of ${gcpMinLength} digits` };
    }
    for (let i = start; i < start + gcpMinLength; i++) {
      if (!isDigit(value.charCodeAt(i))) {
        return { offset: i, reason: `GS1 Company Prefix must start with ${gcpMinLength} digits` };
      }
    }
    return undefined;
  };
}

function inList(list: ReadonlySet<string>, what: string): Linter {
  return (value) => (list.has(value) ? undefined : { offset: 0, reason: `"${value}" is not ${what}` });
}

function oneOf(allowed: string, what: string): Linter {
  return (value) =>
    value.length === 1 && allowed.includes(value)
      ? undefined
      : { offset: 0, reason: `"${value}" is not ${what}` };
}

function atMost(max: number, what: string): Linter {
  return (value) =>
    Number(value) <= max ? undefined : { offset: 0, reason: `${what} ${value} out of range 0-${max}` };
}

const iban: Linter = (value) => {
  if (value.length < 5) return { offset: 0, reason: 'IBAN too short' };
  if (!iso3166Alpha2.has(value.slice(0, 2)))
    return { offset: 0, reason: `IBAN country "${value.slice(0, 2)}" unknown` };
  let remainder = 0;
  const rearranged = value.slice(4) + value.slice(0, 4);
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    const position = (i + 4) % value.length;
    if (isDigit(code)) remainder = (remainder * 10 + code - 48) % 97;
    else if (code >= 65 && code <= 90) remainder = (remainder * 100 + code - 55) % 97;
    else return { offset: position, reason: 'IBAN allows only digits and upper-case letters' };
  }
  return remainder === 1 ? undefined : { offset: 2, reason: 'IBAN check digits wrong' };
};

const pcenc: Linter = (value) => {
  for (let i = value.indexOf('%'); i >= 0; i = value.indexOf('%', i + 1)) {
    if (!isHex(value.charCodeAt(i + 1)) || !isHex(value.charCodeAt(i + 2))) {
      return { offset: i, reason: '"%" must be followed by two hex digits' };
    }
  }
  return undefined;
};

function isHex(code: number): boolean {
  return isDigit(code) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

const pieceoftotal: Linter = (value) => {
  const piece = Number(value.slice(0, value.length / 2));
  const total = Number(value.slice(value.length / 2));
  if (piece === 0) return { offset: 0, reason: 'piece number must not be zero' };
  if (total === 0) return { offset: value.length / 2, reason: 'total must not be zero' };
  return piece <= total ? undefined : { offset: 0, reason: `piece ${piece} exceeds total ${total}` };
};

const posinseqslash: Linter = (value) => {
  const slash = value.indexOf('/');
  const position = value.slice(0, slash);
  const end = value.slice(slash + 1);
  if (slash <= 0 || !/^[1-9]\d*$/.test(position) || !/^[1-9]\d*$/.test(end)) {
    return { offset: 0, reason: `"${value}" is not a position in a sequence like "1/2"` };
  }
  return Number(position) <= Number(end)
    ? undefined
    : { offset: 0, reason: `position ${position} exceeds sequence length ${end}` };
};

const unsupported =
  (name: string): Linter =>
  () => ({ offset: 0, reason: `unsupported check ${name}` });

const charsetLinter =
  (table: Uint8Array, name: string): Linter =>
  (value) => {
    const at = firstOutside(table, value);
    return at < 0 ? undefined : { offset: at, reason: `character not in ${name}` };
  };

const linters: Record<string, Linter> = {
  ...dateLinters,
  csum,
  csumalpha,
  key: gcpAt(0),
  keyoff1: gcpAt(1),
  gcppos1: gcpAt(0),
  gcppos2: gcpAt(1),
  hasnondigit: (value) => {
    for (let i = 0; i < value.length; i++) if (!isDigit(value.charCodeAt(i))) return undefined;
    return { offset: 0, reason: 'must contain a non-digit character' };
  },
  nonzero: (value) => (/[1-9]/.test(value) ? undefined : { offset: 0, reason: 'must not be zero' }),
  zero: (value) => (value === '0' ? undefined : { offset: 0, reason: 'must be 0' }),
  nozeroprefix: (value) =>
    value.length > 1 && value.charCodeAt(0) === 48
      ? { offset: 0, reason: 'must not start with 0' }
      : undefined,
  hyphen: oneOf('-', '"-"'),
  yesno: oneOf('01', '0 (no) or 1 (yes)'),
  winding: oneOf('019', 'a winding direction (0, 1 or 9)'),
  iso5218: oneOf('0129', 'an ISO 5218 sex code (0, 1, 2 or 9)'),
  importeridx: oneOf(cset64, 'an importer index (CSET 64 without "=")'),
  iso3166: inList(iso3166Numeric, 'an ISO 3166 numeric country code'),
  iso3166999: (value) =>
    value === '999' || iso3166Numeric.has(value)
      ? undefined
      : { offset: 0, reason: `"${value}" is not an ISO 3166 numeric country code or 999` },
  iso3166alpha2: inList(iso3166Alpha2, 'an ISO 3166 alpha-2 country code'),
  iso4217: inList(iso4217Numeric, 'an ISO 4217 numeric currency code'),
  mediatype: inList(aidcMediaTypes, 'an AIDC media type (01-10, 80-99)'),
  latitude: atMost(1_800_000_000, 'latitude'),
  longitude: atMost(3_600_000_000, 'longitude'),
  iban,
  pcenc,
  pieceoftotal,
  posinseqslash,
  cset82: charsetLinter(charsets.X.table, 'CSET 82'),
  cset39: charsetLinter(charsets.Y.table, 'CSET 39'),
  cset64: charsetLinter(charsets.Z.table, 'CSET 64'),
};

/** A linter the table names but that is not implemented fails every value instead of passing it. */
export function linterFor(name: string): Linter {
  return linters[name] ?? unsupported(name);
}

export type { LintFailure };
