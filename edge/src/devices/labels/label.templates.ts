import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, LabelTemplateMeta, loadDeviceConfig } from '@unison/config';
import { type LabelTemplate, templateVariables } from './label.template.ts';

/** Reads a label's metadata YAML and the ZPL file it names; the two must agree on the variables. */
export function loadLabelTemplate(metaFile: string): LabelTemplate {
  const meta = loadDeviceConfig(LabelTemplateMeta, metaFile);
  const zplFile = join(dirname(metaFile), meta.zpl);
  let zpl: string;
  try {
    zpl = readFileSync(zplFile, 'latin1');
  } catch (error) {
    throw new ConfigError(metaFile, [`zpl: cannot read ${zplFile}: ${(error as Error).message}`]);
  }
  const declared = new Set(meta.variables.map((v) => v.name));
  const used = templateVariables(zpl);
  const problems = [
    ...used
      .filter((name) => !declared.has(name))
      .map((name) => `zpl: {{${name}}} is not declared under variables`),
    ...[...declared]
      .filter((name) => !used.includes(name))
      .map((name) => `variables: ${name} is not used in ${meta.zpl}`),
  ];
  if (!/^\s*\^XA/.test(zpl) || !/\^XZ\s*$/.test(zpl))
    problems.push(`zpl: ${meta.zpl} must start with ^XA and end with ^XZ`);
  if (problems.length > 0) throw new ConfigError(metaFile, problems);
  return { meta, zpl };
}

/** Every `*.yaml` label in `dir`, by id. */
export function loadLabelTemplates(dir: string): Map<string, LabelTemplate> {
  const templates = new Map<string, LabelTemplate>();
  for (const name of readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()) {
    const template = loadLabelTemplate(join(dir, name));
    templates.set(template.meta.id, template);
  }
  return templates;
}
