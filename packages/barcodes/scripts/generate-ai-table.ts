// Writes src/gs1/ai-table.generated.ts from the GS1 Barcode Syntax Dictionary.
// Usage: node scripts/generate-ai-table.ts [path/to/gs1-syntax-dictionary.txt]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dictionarySourceFromReadme, parseSyntaxDictionary } from '../src/gs1/dictionary.parse.ts';
import type { DictionaryEntry } from '../src/gs1/dictionary.types.ts';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(packageRoot, '..', '..');
const dataFile = process.argv[2] ?? join(repoRoot, '..', 'shared', 'data', 'gs1-syntax-dictionary.txt');
const outputFile = join(packageRoot, 'src', 'gs1', 'ai-table.generated.ts');

const entries = parseSyntaxDictionary(readFileSync(dataFile, 'utf8'));
const source = dictionarySourceFromReadme(readFileSync(join(dirname(dataFile), 'README.md'), 'utf8'));
writeFileSync(outputFile, renderTable(entries, source));
execFileSync(join(repoRoot, 'node_modules', '.bin', 'biome'), ['format', '--write', outputFile], {
  stdio: 'inherit',
});
console.log(`wrote ${entries.length} entries to ${outputFile}`);

function renderTable(table: DictionaryEntry[], sourceNote: string): string {
  const rows = table.map((entry) => `  ${JSON.stringify(entry)},`).join('\n');
  return [
    `// Generated from the GS1 Barcode Syntax Dictionary, ${sourceNote}, Apache-2.0 (see NOTICE).`,
    '// Do not edit: run `node scripts/generate-ai-table.ts` instead.',
    "import type { DictionaryEntry } from './dictionary.types.ts';",
    '',
    `export const dictionarySource = ${JSON.stringify(sourceNote)};`,
    '',
    'export const aiDictionary: readonly DictionaryEntry[] = [',
    rows,
    '];',
    '',
  ].join('\n');
}
