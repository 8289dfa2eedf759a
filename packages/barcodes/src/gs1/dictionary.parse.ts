import type { ComponentType, DictionaryComponent, DictionaryEntry } from './dictionary.types.ts';

const componentPattern = /^(\[)?([NXYZ])(\.\.)?(\d+)(\])?((?:,[a-z0-9]+)*)$/;
const aiRangePattern = /^(\d{2,4})(?:-(\d{2,4}))?$/;
const flagPattern = /^[*!?"$%&'()+,\-./:;<=>@[\\\]^_`{|}~]+$/;

export class DictionaryFormatError extends Error {
  override name = 'DictionaryFormatError';
}

/** Parses the GS1 Barcode Syntax Dictionary text format into entries, in file order. */
export function parseSyntaxDictionary(text: string): DictionaryEntry[] {
  const entries: DictionaryEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    try {
      entries.push(parseEntryLine(line));
    } catch (error) {
      throw new DictionaryFormatError(`line ${index + 1}: ${(error as Error).message}: ${line}`);
    }
  }
  return entries;
}

function parseEntryLine(line: string): DictionaryEntry {
  const hashAt = line.indexOf('#');
  const title = hashAt >= 0 ? line.slice(hashAt + 1).trim() : '';
  const tokens = (hashAt >= 0 ? line.slice(0, hashAt) : line).trim().split(/\s+/);
  const range = aiRangePattern.exec(tokens.shift() ?? '');
  if (!range) throw new Error('bad AI or AI range');
  const first = range[1]!;
  const last = range[2] ?? first;
  let flags = '';
  if (tokens[0] !== undefined && flagPattern.test(tokens[0])) flags = tokens.shift()!;

  const components: DictionaryComponent[] = [];
  const req: string[][][] = [];
  const ex: string[] = [];
  let dlpkey: string[][] | null = null;
  for (const token of tokens) {
    if (token === 'dlpkey') {
      dlpkey = [[]];
    } else if (token.startsWith('dlpkey=')) {
      dlpkey = token
        .slice('dlpkey='.length)
        .split('|')
        .map((sequence) => sequence.split(','));
    } else if (token.startsWith('req=')) {
      req.push(
        token
          .slice('req='.length)
          .split(',')
          .map((group) => group.split('+')),
      );
    } else if (token.startsWith('ex=')) {
      ex.push(...token.slice('ex='.length).split(','));
    } else {
      components.push(parseComponent(token));
    }
  }
  if (components.length === 0) throw new Error('no components');
  return {
    first,
    last,
    fnc1Required: !flags.includes('*'),
    dlDataAttribute: flags.includes('?'),
    components,
    req,
    ex,
    dlpkey,
    title,
  };
}

function parseComponent(token: string): DictionaryComponent {
  const match = componentPattern.exec(token);
  if (!match || Boolean(match[1]) !== Boolean(match[5])) throw new Error(`bad component "${token}"`);
  const length = Number(match[4]);
  return {
    type: match[2] as ComponentType,
    minLength: match[3] ? 1 : length,
    maxLength: length,
    optional: Boolean(match[1]),
    linters: match[6] ? match[6].slice(1).split(',') : [],
  };
}

/** Reads "gs1/gs1-syntax-dictionary at <commit> (<date>)" from the data README's table row. */
export function dictionarySourceFromReadme(readme: string): string {
  const row = readme.split('\n').find((line) => line.includes('gs1-syntax-dictionary.txt'));
  const match = row ? /(gs1\/gs1-syntax-dictionary at [0-9a-f]+(?: \([^)]*\))?)/.exec(row) : null;
  if (!match) throw new DictionaryFormatError('data README names no gs1-syntax-dictionary release or commit');
  return match[1]!;
}
