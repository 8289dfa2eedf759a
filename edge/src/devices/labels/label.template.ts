import type { LabelTemplateMeta } from '@unison/config';

export interface LabelTemplate {
  meta: LabelTemplateMeta;
  /** ZPL II with `{{name}}` placeholders. */
  zpl: string;
}

/** A label that cannot be rendered from the data given; the message names the template and what is wrong. */
export class LabelRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelRenderError';
  }
}

export type LabelVariables = Readonly<Record<string, string | number | undefined>>;

const PLACEHOLDER = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*\}\}/g;
const FIELD_DATA = /(\^FH(.?))?\^FD([^^]*)/g;
// Outside field data a value becomes part of a command, so only harmless characters may go there.
const SAFE_PARAMETER = /^[A-Za-z0-9 .,-]*$/;

/** The variables the ZPL text refers to. */
export function templateVariables(zpl: string): string[] {
  return [...new Set([...zpl.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/**
 * Fills the template. Values in field data are hex-escaped with ^FH (so `^`, `~` and bytes outside
 * printable ASCII can never become commands); values elsewhere must be plain parameters.
 */
export function renderLabel({ meta, zpl }: LabelTemplate, variables: LabelVariables): string {
  const values = new Map<string, string>();
  const missing: string[] = [];
  for (const variable of meta.variables) {
    const given = variables[variable.name];
    const value = given === undefined || given === '' ? variable.default : String(given);
    if (value === undefined) {
      if (variable.required) missing.push(variable.name);
      else values.set(variable.name, '');
    } else values.set(variable.name, value);
  }
  if (missing.length > 0)
    throw new LabelRenderError(`label ${meta.id}: missing variable(s) ${missing.join(', ')}`);
  const undeclared = templateVariables(zpl).filter((name) => !values.has(name));
  if (undeclared.length > 0) {
    throw new LabelRenderError(
      `label ${meta.id}: template uses undeclared variable(s) ${undeclared.join(', ')}`,
    );
  }

  const lookup = (name: string) => values.get(name)!;
  const withFields = zpl.replace(
    FIELD_DATA,
    (all, fh: string | undefined, indicator: string, data: string) => {
      if (!data.includes('{{')) return all;
      const hexIndicator = fh ? indicator || '_' : '_';
      const filled = data.replace(PLACEHOLDER, (_m, name: string) =>
        escapeFieldData(lookup(name), hexIndicator, meta.id),
      );
      return `${fh ?? '^FH_'}^FD${filled}`;
    },
  );
  return withFields.replace(PLACEHOLDER, (_m, name: string) => {
    const value = lookup(name);
    if (!SAFE_PARAMETER.test(value)) {
      throw new LabelRenderError(
        `label ${meta.id}: variable ${name} is used in a command and may only hold [A-Za-z0-9 .,-]`,
      );
    }
    return value;
  });
}

/** Hex-escapes everything but printable ASCII that is neither a ZPL prefix nor the ^FH indicator. */
export function escapeFieldData(value: string, indicator = '_', templateId = '?'): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code > 0xff) {
      throw new LabelRenderError(
        `label ${templateId}: character U+${code.toString(16).toUpperCase()} is not latin1`,
      );
    }
    const plain = code >= 0x20 && code <= 0x7e && char !== '^' && char !== '~' && char !== indicator;
    out += plain ? char : `${indicator}${code.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
