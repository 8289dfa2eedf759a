import type { BrowsedVariable } from '../connectors/opcua/opcua.browse.ts';

/** `GoodCount` → `good_count`, anything else a tag name can't hold → `_`. */
export function toTagName(browseName: string): string {
  const name = browseName
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9._/-]+/g, '_')
    .replace(/^[^a-z0-9]+/, '');
  return name.slice(0, 128) || 'tag';
}

/** A browse name as a machine code: letters, digits, dot, dash, underscore, first a letter or digit. */
export function toMachineCode(browseName: string): string {
  const code = browseName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return code.slice(0, 64) || 'machine';
}

const quote = (text: string) => JSON.stringify(text);

/**
 * A plant-config fragment for the browsed variables: the machines (each variable's parent object)
 * and one OPC UA connector with a tag per variable, node ids in `nsu=` form.
 */
export function tagMapSnippet({
  endpoint,
  connectorId,
  variables,
}: {
  endpoint: string;
  connectorId: string;
  variables: BrowsedVariable[];
}): string {
  const used = new Set<string>();
  const machines = new Set<string>();
  const tags = variables.map(({ nodeId, path }) => {
    const machine = path.length > 1 ? toMachineCode(path.at(-2) ?? connectorId) : toMachineCode(connectorId);
    const base = toTagName(path.at(-1) ?? nodeId);
    let tag = base;
    for (let n = 2; used.has(`${machine}/${tag}`); n++) tag = `${base}_${n}`;
    used.add(`${machine}/${tag}`);
    machines.add(machine);
    return { machine, tag, nodeId };
  });
  return [
    `# ${variables.length} variables found at ${endpoint}`,
    "# Machines are named after each variable's parent object; rename them and the tags as you like.",
    'machines:',
    ...[...machines].map((machine) => `  - { id: ${quote(machine)}, name: ${quote(machine)} }`),
    'connectors:',
    `  - id: ${quote(connectorId)}`,
    '    type: opcua',
    `    endpoint: ${quote(endpoint)}`,
    '    tags:',
    ...tags.map(
      ({ machine, tag, nodeId }) =>
        `      - { machine: ${quote(machine)}, tag: ${quote(tag)}, nodeId: ${quote(nodeId)} }`,
    ),
    '',
  ].join('\n');
}
