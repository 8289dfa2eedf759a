import type { ComponentType } from './dictionary.types.ts';

/** CSET 82 in GS1 order; a character's index is its value in the alphanumeric check pair. */
export const cset82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
export const cset39 = '#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const cset64 = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
export const cset32 = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

function membership(characters: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let i = 0; i < characters.length; i++) table[characters.charCodeAt(i)] = 1;
  return table;
}

export interface Charset {
  table: Uint8Array;
  description: string;
  unit: string;
}

export const charsets: Record<ComponentType, Charset> = {
  N: { table: membership('0123456789'), description: 'digits', unit: 'digits' },
  X: { table: membership(cset82), description: 'CSET 82', unit: 'characters' },
  Y: { table: membership(cset39), description: 'CSET 39', unit: 'characters' },
  Z: { table: membership(`${cset64}=`), description: 'CSET 64 (base64url)', unit: 'characters' },
};

/** Index of the first character of value outside the set, or -1. */
export function firstOutside(table: Uint8Array, value: string): number {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 127 || table[code] === 0) return i;
  }
  return -1;
}

export function describeChar(code: number): string {
  return code >= 0x21 && code <= 0x7e ? `"${String.fromCharCode(code)}"` : `0x${hex2(code)}`;
}

export function hex2(code: number): string {
  return code.toString(16).toUpperCase().padStart(2, '0');
}
