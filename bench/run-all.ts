// `pnpm bench`: every `bench:<name>` script of the workspace, one after the other.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const names = Object.keys(scripts).filter((name) => name.startsWith('bench:'));
const failed: string[] = [];
for (const name of names) {
  console.log(`\n=== ${name}: ${scripts[name]}`);
  const run = spawnSync(scripts[name]!, { cwd: root, shell: true, stdio: 'inherit' });
  if (run.status !== 0) failed.push(name);
}
console.log(
  `\n${names.length - failed.length} of ${names.length} benchmarks ran${failed.length ? `; failed: ${failed.join(', ')}` : ''}`,
);
process.exit(failed.length ? 1 : 0);
