import type { MachineConfig } from '@unison/config';
import type { Sample } from '@unison/contracts';

/** Where a machine without an area or line hangs in the tree, so every topic has the same depth. */
export const UNASSIGNED = 'unassigned';

/** One topic level: separators and wildcards become `_`. */
const level = (text: string) => text.replace(/[/+#\s]/g, '_') || '_';

/** `<root>/<plant>/<area>/<line>/<machine>/<tag>`, from the machines under `machines:`. */
export function unsTopics(
  root: string,
  plant: string,
  machines: Pick<MachineConfig, 'id' | 'area' | 'line'>[],
) {
  const prefixes = new Map(
    machines.map((m) => [
      m.id,
      [root, plant, m.area ?? UNASSIGNED, m.line ?? UNASSIGNED, m.id].map(level).join('/'),
    ]),
  );
  const fallback = (machine: string) => [root, plant, UNASSIGNED, UNASSIGNED, machine].map(level).join('/');
  // Tags may carry `/` on purpose (`spindle/speed`): they become deeper levels.
  return (sample: Pick<Sample, 'machine' | 'tag'>) =>
    `${prefixes.get(sample.machine) ?? fallback(sample.machine)}/${sample.tag.replace(/[+#\s]/g, '_')}`;
}

export const unsPayload = (sample: Sample) =>
  JSON.stringify({ value: sample.value, quality: sample.quality, ts: new Date(sample.tsMs).toISOString() });
