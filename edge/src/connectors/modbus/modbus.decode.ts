import type { ModbusByteOrder, ModbusTagConfig } from '@unison/config';
import type { Quality, SampleValue } from '@unison/contracts';

export interface Decoded {
  value: SampleValue;
  quality: Quality;
}

export const BAD: Decoded = Object.freeze({ value: null, quality: 'bad' });

export type ModbusTable = ModbusTagConfig['table'];
export const isBitTable = (table: ModbusTable) => table === 'coil' || table === 'discrete';

/** Registers (or bits) a tag occupies. */
export function tagWidth(tag: Pick<ModbusTagConfig, 'dataType' | 'length'>): number {
  switch (tag.dataType) {
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 4;
    case 'string':
      return Math.ceil((tag.length ?? 2) / 2);
    default:
      return 1;
  }
}

/** The value's bytes, most significant first, from registers read in the device's byte order. */
export function orderedBytes(words: number[], order: ModbusByteOrder): Buffer {
  const bytes = Buffer.alloc(words.length * 2);
  const swapBytes = order === 'BADC' || order === 'DCBA';
  const reverseWords = order === 'CDAB' || order === 'DCBA';
  words.forEach((word, i) => {
    const at = (reverseWords ? words.length - 1 - i : i) * 2;
    bytes[at] = swapBytes ? word & 0xff : word >> 8;
    bytes[at + 1] = swapBytes ? word >> 8 : word & 0xff;
  });
  return bytes;
}

/** Characters in register order; only the byte swap (BADC, DCBA) applies to text. */
function decodeString(words: number[], tag: ModbusTagConfig): Decoded {
  const swap = tag.wordOrder === 'BADC' || tag.wordOrder === 'DCBA';
  const bytes = Buffer.alloc(words.length * 2);
  for (const [i, word] of words.entries()) bytes.writeUInt16BE(word, i * 2);
  if (swap) bytes.swap16();
  const text = bytes.subarray(0, tag.length).toString('latin1');
  const end = text.indexOf('\0');
  return { value: (end === -1 ? text : text.slice(0, end)).trimEnd(), quality: 'good' };
}

/**
 * 64-bit integers stay exact: a number while it is a safe integer, else the exact decimal string;
 * scaling such a value loses digits, so that result is marked uncertain.
 */
function decodeInt64(raw: bigint, tag: ModbusTagConfig): Decoded {
  const safe = raw <= BigInt(Number.MAX_SAFE_INTEGER) && raw >= BigInt(Number.MIN_SAFE_INTEGER);
  const unscaled = tag.scale === 1 && tag.offset === 0;
  if (!safe && unscaled) return { value: raw.toString(), quality: 'good' };
  return scaled(Number(raw), tag, safe ? 'good' : 'uncertain');
}

function scaled(raw: number, tag: ModbusTagConfig, quality: Quality = 'good'): Decoded {
  const value = raw * tag.scale + tag.offset;
  return Number.isFinite(value) ? { value, quality } : BAD;
}

/** Decodes one tag from registers read from `blockStart`; NaN and ±Infinity become null with bad quality. */
export function decodeRegisters(tag: ModbusTagConfig, registers: number[], blockStart: number): Decoded {
  const at = tag.address - blockStart;
  const words = registers.slice(at, at + tagWidth(tag));
  if (at < 0 || words.length < tagWidth(tag)) return BAD;
  if (tag.dataType === 'string') return decodeString(words, tag);
  const bytes = orderedBytes(words, tag.wordOrder);
  switch (tag.dataType) {
    case 'bool':
      return { value: (words[0] ?? 0) !== 0, quality: 'good' };
    case 'int16':
      return scaled(bytes.readInt16BE(0), tag);
    case 'uint16':
      return scaled(bytes.readUInt16BE(0), tag);
    case 'int32':
      return scaled(bytes.readInt32BE(0), tag);
    case 'uint32':
      return scaled(bytes.readUInt32BE(0), tag);
    case 'float32':
      return scaled(bytes.readFloatBE(0), tag);
    case 'float64':
      return scaled(bytes.readDoubleBE(0), tag);
    case 'int64':
      return decodeInt64(bytes.readBigInt64BE(0), tag);
    case 'uint64':
      return decodeInt64(bytes.readBigUInt64BE(0), tag);
  }
}

export function decodeBits(tag: ModbusTagConfig, bits: boolean[], blockStart: number): Decoded {
  const bit = bits[tag.address - blockStart];
  return bit === undefined ? BAD : { value: bit, quality: 'good' };
}
