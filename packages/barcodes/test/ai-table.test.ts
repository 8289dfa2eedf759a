import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { aiDictionary, dictionarySource } from '../src/gs1/ai-table.generated.ts';
import { aiTable } from '../src/gs1/ai-table.ts';
import { gs1CheckPair } from '../src/gs1/check-digit.ts';
import { dictionarySourceFromReadme, parseSyntaxDictionary } from '../src/gs1/dictionary.parse.ts';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const dataDir = join(repoRoot, '..', 'shared', 'data');
const dataFile = join(dataDir, 'gs1-syntax-dictionary.txt');

describe('AI table', () => {
  it.skipIf(!existsSync(dataFile))('is up to date with the GS1 Barcode Syntax Dictionary', () => {
    expect(parseSyntaxDictionary(readFileSync(dataFile, 'utf8'))).toEqual(aiDictionary);
    expect(dictionarySourceFromReadme(readFileSync(join(dataDir, 'README.md'), 'utf8'))).toBe(
      dictionarySource,
    );
  });

  it('expands AI ranges and knows every AI length', () => {
    expect(aiTable.get('3103')).toMatchObject({
      title: 'NET WEIGHT (kg)',
      valueKind: 'decimal',
      decimalPlaces: 3,
    });
    expect(aiTable.get('3106')).toBeUndefined();
    expect(aiTable.get('95')).toMatchObject({ title: 'INTERNAL', fnc1Required: true });
    expect(aiTable.get('01')).toMatchObject({ fnc1Required: false, fixedLength: 14 });
  });

  it('fails closed for exactly the checks it does not implement', () => {
    const unsupported = new Set<string>();
    for (const ai of aiTable.values()) {
      for (const component of ai.components) {
        for (const linter of component.linters) {
          const result = linter('0', { currentYear: () => 2026 });
          if (result?.reason.startsWith('unsupported check')) unsupported.add(result.reason);
        }
      }
    }
    expect([...unsupported].sort()).toEqual([
      'unsupported check couponcode',
      'unsupported check couponposoffer',
      'unsupported check packagetype',
    ]);
  });

  it('computes alphanumeric check pairs', () => {
    expect(gs1CheckPair('1987654Ad4X4bL5ttr2310c')).toBe('2K');
    expect(gs1CheckPair('12345678901234567890123')).toBe('NT');
    expect(gs1CheckPair('')).toBe('22');
  });
});
