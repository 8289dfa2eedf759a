import { cset32, cset82 } from './charsets.ts';

/** GS1 mod-10 check digit for digits given without their check digit (weights 3,1,… from the right). */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  let weight = 3;
  for (let i = digits.length - 1; i >= 0; i--) {
    const digit = digits.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) throw new RangeError(`gs1CheckDigit: not a digit at ${i} in "${digits}"`);
    sum += digit * weight;
    weight = 4 - weight;
  }
  return (10 - (sum % 10)) % 10;
}

const primes = firstPrimes(97);

function firstPrimes(count: number): number[] {
  const found: number[] = [];
  for (let candidate = 2; found.length < count; candidate++) {
    if (found.every((prime) => candidate % prime !== 0)) found.push(candidate);
  }
  return found;
}

const cset82Values = new Int16Array(128).fill(-1);
for (let i = 0; i < cset82.length; i++) cset82Values[cset82.charCodeAt(i)] = i;

/** The two CSET 32 check characters for an alphanumeric key (GS1 General Specifications, alphanumeric check pair). */
export function gs1CheckPair(data: string): string {
  if (data.length > primes.length) throw new RangeError('gs1CheckPair: data longer than 97 characters');
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const value = cset82Values[data.charCodeAt(i)] ?? -1;
    if (value < 0) throw new RangeError(`gs1CheckPair: character at ${i} is not in CSET 82`);
    sum += value * primes[data.length - 1 - i]!;
  }
  sum %= 1021;
  return cset32[sum >> 5]! + cset32[sum & 31]!;
}
