import { aiDictionary } from './ai-table.generated.ts';
import { type Charset, charsets } from './charsets.ts';
import type { DictionaryComponent, DictionaryEntry } from './dictionary.types.ts';
import { linterHints } from './linters.dates.ts';
import { linterFor } from './linters.ts';
import type { Linter } from './linters.types.ts';

export type ValueKind = 'text' | 'integer' | 'decimal' | 'decimal-with-currency' | 'date';

export interface CompiledComponent {
  charset: Charset;
  minLength: number;
  maxLength: number;
  optional: boolean;
  linters: readonly Linter[];
  /** e.g. "6 digits (YYMMDD)" or "1 to 20 characters". */
  expectation: string;
}

export interface CompiledAi {
  ai: string;
  title: string;
  fnc1Required: boolean;
  /** Total length when every component is fixed and mandatory; otherwise -1. */
  fixedLength: number;
  components: readonly CompiledComponent[];
  req: DictionaryEntry['req'];
  ex: readonly string[];
  dlpkey: DictionaryEntry['dlpkey'];
  dlDataAttribute: boolean;
  valueKind: ValueKind;
  decimalPlaces: number;
}

const dateLinters = new Set(['yymmdd', 'yymmd0', 'yyyymmdd']);
const timeLinters = new Set(['hhmi', 'hhmm', 'hh', 'mi', 'mm', 'ss']);
const integerAis = new Set(['30', '37']);

function compileComponent(component: DictionaryComponent): CompiledComponent {
  const charset = charsets[component.type];
  const hint = component.linters.map((name) => linterHints[name]).find(Boolean);
  const count =
    component.minLength === component.maxLength
      ? `${component.maxLength}`
      : `${component.minLength} to ${component.maxLength}`;
  const unit = component.type === 'N' ? 'digits' : `${charset.description} characters`;
  return {
    charset,
    minLength: component.minLength,
    maxLength: component.maxLength,
    optional: component.optional,
    linters: component.linters.map(linterFor),
    expectation: `${count} ${unit}${hint ? ` (${hint})` : ''}`,
  };
}

function valueKindOf(ai: string, entry: DictionaryEntry): ValueKind {
  const [first, ...rest] = entry.components;
  if (ai.length === 4 && /^3[1-6]\d\d$|^39[0-5]\d$/.test(ai)) {
    return ai.startsWith('391') || ai.startsWith('393') ? 'decimal-with-currency' : 'decimal';
  }
  const isDate = first?.linters.some((name) => dateLinters.has(name)) ?? false;
  if (isDate && rest.every((component) => component.linters.some((name) => timeLinters.has(name))))
    return 'date';
  return integerAis.has(ai) ? 'integer' : 'text';
}

function compileEntry(ai: string, entry: DictionaryEntry): CompiledAi {
  const fixed = entry.components.every((c) => !c.optional && c.minLength === c.maxLength);
  const valueKind = valueKindOf(ai, entry);
  return {
    ai,
    title: entry.title,
    fnc1Required: entry.fnc1Required,
    fixedLength: fixed ? entry.components.reduce((sum, c) => sum + c.maxLength, 0) : -1,
    components: entry.components.map(compileComponent),
    req: entry.req,
    ex: entry.ex,
    dlpkey: entry.dlpkey,
    dlDataAttribute: entry.dlDataAttribute,
    valueKind,
    decimalPlaces: valueKind === 'decimal' || valueKind === 'decimal-with-currency' ? Number(ai[3]) : 0,
  };
}

function expandRange(entry: DictionaryEntry): string[] {
  const width = entry.first.length;
  const ais: string[] = [];
  for (let number = Number(entry.first); number <= Number(entry.last); number++) {
    ais.push(String(number).padStart(width, '0'));
  }
  return ais;
}

export const aiTable: ReadonlyMap<string, CompiledAi> = new Map(
  aiDictionary.flatMap((entry) => expandRange(entry).map((ai) => [ai, compileEntry(ai, entry)] as const)),
);

// Indexed by the AI's numeric value per length, so lookups in the hot path allocate no strings.
const byLength = [new Array<CompiledAi | undefined>(100), new Array(1000), new Array(10000)] as const;
for (const [ai, compiled] of aiTable) {
  if (ai.length < 2 || ai.length > 4) throw new Error(`AI ${ai}: expected 2 to 4 digits`);
  byLength[ai.length - 2]![Number(ai)] = compiled;
}
for (const ai of aiTable.keys()) {
  for (let prefixLength = 2; prefixLength < ai.length; prefixLength++) {
    if (aiTable.has(ai.slice(0, prefixLength))) throw new Error(`AI table is not prefix-free: ${ai}`);
  }
}

/** The AI starting at position, or undefined when the digits there start no known AI. */
export function lookupAi(data: string, position: number): CompiledAi | undefined {
  let number = 0;
  for (let length = 1; length <= 4; length++) {
    const digit = data.charCodeAt(position + length - 1) - 48;
    if (!(digit >= 0 && digit <= 9)) return undefined;
    number = number * 10 + digit;
    if (length >= 2) {
      const found = byLength[length - 2]![number];
      if (found) return found;
    }
  }
  return undefined;
}
