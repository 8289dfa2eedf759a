import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { PlantConfig } from './plant.schema.ts';

/** A configuration file that cannot be used; the message names the file, the place and the reason. */
export class ConfigError extends Error {
  readonly file: string;
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super(`${file}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces `${NAME}` and `${NAME:-default}` in every string value; an unset variable without default is an error. */
export function interpolate(value: unknown, env: Env, path: string[] = [], missing: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_all, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      missing.push(`${formatPath(path)}: environment variable ${name} is not set and has no default`);
      return '';
    });
  }
  if (Array.isArray(value))
    return value.map((item, i) => interpolate(item, env, [...path, String(i)], missing));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, env, [...path, key], missing)]),
    );
  }
  return value;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number' || /^\d+$/.test(String(part))) return `${out}[${String(part)}]`;
    return out === '' ? String(part) : `${out}.${String(part)}`;
  }, '');
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

/** Parses YAML text, fills in `${VAR}` values and validates it with `schema`; `file` is only used in messages. */
export function parseConfigText<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
  env: Env = {},
): z.infer<S> {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  }
  const missing: string[] = [];
  const raw = interpolate(doc.toJS(), env, [], missing);
  if (missing.length > 0) throw new ConfigError(file, missing);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error));
  return parsed.data;
}

/** Reads one configuration file and validates it with `schema`. */
export function loadConfigFile<S extends z.ZodType>(schema: S, file: string, env: Env = {}): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read file: ${(error as Error).message}`]);
  }
  return parseConfigText(schema, text, file, env);
}

/** Parses and validates plant config text; `file` is only used in messages. */
export function parsePlantConfig(text: string, file: string, env: Env = {}): PlantConfig {
  return parseConfigText(PlantConfig, text, file, env);
}

export function loadPlantConfig(file: string, env: Env = {}): PlantConfig {
  return loadConfigFile(PlantConfig, file, env);
}
