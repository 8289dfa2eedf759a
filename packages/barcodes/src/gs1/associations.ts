import type { ScanError } from '../result.ts';
import type { CompiledAi } from './ai-table.ts';

export interface PlacedElement {
  ai: CompiledAi;
  raw: string;
  /** Where the element's AI starts in the input. */
  position: number;
}

/** A pattern like "31nn" matches any AI of its length with digits where it has "n". */
function matches(pattern: string, ai: string): boolean {
  if (pattern.length !== ai.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern.charCodeAt(i);
    if (expected !== 110 /* n */ && expected !== ai.charCodeAt(i)) return false;
  }
  return true;
}

function present(elements: readonly PlacedElement[], pattern: string): boolean {
  for (const element of elements) if (matches(pattern, element.ai.ai)) return true;
  return false;
}

const describeGroup = (group: readonly string[]) => group.map((ai) => `(${ai})`).join('+');

function describeAlternatives(alternatives: readonly (readonly string[])[]): string {
  const described = alternatives.map(describeGroup);
  return described.length === 1
    ? described[0]!
    : `${described.slice(0, -1).join(', ')} or ${described.at(-1)}`;
}

/** Checks repeated AIs, `ex=` exclusions and `req=` requirements over the whole message. */
export function checkAssociations(elements: readonly PlacedElement[]): ScanError | undefined {
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i]!;
    for (let j = 0; j < i; j++) {
      const earlier = elements[j]!;
      if (earlier.ai === element.ai && earlier.raw !== element.raw) {
        return {
          reason: `AI (${element.ai.ai}) repeated with a different value`,
          position: element.position,
        };
      }
      if (earlier.ai !== element.ai && (excludes(earlier, element) || excludes(element, earlier))) {
        return {
          reason: `AI (${element.ai.ai}) cannot be combined with AI (${earlier.ai.ai})`,
          position: element.position,
        };
      }
    }
  }
  for (const element of elements) {
    for (const alternatives of element.ai.req) {
      const satisfied = alternatives.some((group) => group.every((pattern) => present(elements, pattern)));
      if (!satisfied) {
        return {
          reason: `AI (${element.ai.ai}) requires ${describeAlternatives(alternatives)}`,
          position: element.position,
        };
      }
    }
  }
  return undefined;
}

function excludes(element: PlacedElement, other: PlacedElement): boolean {
  for (const pattern of element.ai.ex) if (matches(pattern, other.ai.ai)) return true;
  return false;
}
