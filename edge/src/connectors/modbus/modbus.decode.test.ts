import { describe, expect, it } from 'vitest';
import { decodeBits, decodeRegisters, orderedBytes, tagWidth } from './modbus.decode.ts';
import { modbusTag as tag, wordsInOrder } from './modbus.test-tags.ts';

const ORDERS = ['ABCD', 'BADC', 'CDAB', 'DCBA'] as const;

function bytesOf(size: number, write: (buffer: Buffer) => void): Buffer {
  const buffer = Buffer.alloc(size);
  write(buffer);
  return buffer;
}

const CASES = [
  ['int16', -12_345, bytesOf(2, (b) => b.writeInt16BE(-12_345))],
  ['uint16', 54_321, bytesOf(2, (b) => b.writeUInt16BE(54_321))],
  ['int32', -123_456_789, bytesOf(4, (b) => b.writeInt32BE(-123_456_789))],
  ['uint32', 4_000_000_000, bytesOf(4, (b) => b.writeUInt32BE(4_000_000_000))],
  ['float32', Math.fround(21.75), bytesOf(4, (b) => b.writeFloatBE(21.75))],
  ['float64', 1234.5678901234, bytesOf(8, (b) => b.writeDoubleBE(1234.5678901234))],
  ['int64', -9_000_000_000_123, bytesOf(8, (b) => b.writeBigInt64BE(-9_000_000_000_123n))],
  ['uint64', 2 ** 52 + 7, bytesOf(8, (b) => b.writeBigUInt64BE(BigInt(2 ** 52 + 7)))],
] as const;

describe('modbus decoding', () => {
  for (const [dataType, expected, bytes] of CASES) {
    it.each(ORDERS)(`decodes ${dataType} in %s`, (wordOrder) => {
      const words = [0xdead, ...wordsInOrder(bytes, wordOrder)];
      expect(decodeRegisters(tag({ dataType, wordOrder, address: 11 }), words, 10)).toEqual({
        value: expected,
        quality: 'good',
      });
    });
  }

  it('names the bytes A (most significant) to D', () => {
    const abcd = [0x4142, 0x4344];
    expect(orderedBytes(abcd, 'ABCD').toString()).toBe('ABCD');
    expect(orderedBytes(abcd, 'BADC').toString()).toBe('BADC');
    expect(orderedBytes(abcd, 'CDAB').toString()).toBe('CDAB');
    expect(orderedBytes(abcd, 'DCBA').toString()).toBe('DCBA');
  });

  it('keeps 64-bit integers exact: a string beyond 2^53, uncertain when scaled', () => {
    const big = wordsInOrder(
      bytesOf(8, (b) => b.writeBigUInt64BE(18_446_744_073_709_551_615n)),
      'ABCD',
    );
    expect(decodeRegisters(tag({ dataType: 'uint64' }), big, 0)).toEqual({
      value: '18446744073709551615',
      quality: 'good',
    });
    expect(decodeRegisters(tag({ dataType: 'uint64', scale: 0.001 }), big, 0)).toEqual({
      value: Number(18_446_744_073_709_551_615n) * 0.001,
      quality: 'uncertain',
    });
    const minusOne = [0xffff, 0xffff, 0xffff, 0xffff];
    expect(decodeRegisters(tag({ dataType: 'int64' }), minusOne, 0).value).toBe(-1);
  });

  it('decodes strings of odd length, cut at NUL, trailing blanks dropped, in either byte order', () => {
    const text = Buffer.from('PART-42X\0\0');
    const words = Array.from({ length: 5 }, (_, i) => text.readUInt16BE(i * 2));
    expect(decodeRegisters(tag({ dataType: 'string', length: 7 }), words, 0).value).toBe('PART-42');
    expect(decodeRegisters(tag({ dataType: 'string', length: 10 }), words, 0).value).toBe('PART-42X');
    const swapped = words.map((w) => ((w & 0xff) << 8) | (w >> 8));
    expect(
      decodeRegisters(tag({ dataType: 'string', length: 10, wordOrder: 'BADC' }), swapped, 0).value,
    ).toBe('PART-42X');
    const padded = Buffer.from('OP10  ');
    const paddedWords = [0, 1, 2].map((i) => padded.readUInt16BE(i * 2));
    expect(decodeRegisters(tag({ dataType: 'string', length: 6 }), paddedWords, 0).value).toBe('OP10');
    expect(tagWidth({ dataType: 'string', length: 7 })).toBe(4);
  });

  it('applies scale then offset', () => {
    expect(decodeRegisters(tag({ scale: 0.1, offset: -40 }), [650], 0).value).toBeCloseTo(25);
    expect(decodeRegisters(tag({ dataType: 'int16', scale: 0.5 }), [0xfffe], 0).value).toBe(-1);
  });

  it.each([
    ['float32', Number.NaN],
    ['float32', Number.POSITIVE_INFINITY],
    ['float64', Number.NEGATIVE_INFINITY],
    ['float64', Number.NaN],
  ] as const)('turns %s %s into null with bad quality', (dataType, value) => {
    const size = dataType === 'float32' ? 4 : 8;
    const bytes = bytesOf(size, (b) => (size === 4 ? b.writeFloatBE(value) : b.writeDoubleBE(value)));
    const decoded = decodeRegisters(tag({ dataType }), wordsInOrder(bytes, 'ABCD'), 0);
    expect(decoded).toEqual({ value: null, quality: 'bad' });
    expect(JSON.stringify(decoded)).not.toMatch(/NaN|Infinity/);
  });

  it('decodes a wrong word order to an obviously wrong value, without failing', () => {
    // 21.5 °C written ABCD and read as CDAB is ~1.6e-41: a tiny denormal an engineer spots at a glance.
    const words = wordsInOrder(
      bytesOf(4, (b) => b.writeFloatBE(21.5)),
      'ABCD',
    );
    const misread = decodeRegisters(tag({ dataType: 'float32', wordOrder: 'CDAB' }), words, 0);
    expect(misread.quality).toBe('good');
    expect(Math.abs(misread.value as number)).toBeLessThan(1e-30);
    // A counter of 70000 read word-swapped jumps to 70000's low word × 65536 + 1.
    const counter = decodeRegisters(tag({ dataType: 'uint32', wordOrder: 'CDAB' }), [0x0001, 0x1170], 0);
    expect(counter.value).toBe(0x1170_0001);
  });

  it('reports 32-bit counters as read; a rollover is for the machine model to tell from a reset', () => {
    expect(decodeRegisters(tag({ dataType: 'uint32' }), [0xffff, 0xffff], 0).value).toBe(4_294_967_295);
    expect(decodeRegisters(tag({ dataType: 'uint32' }), [0, 0], 0).value).toBe(0);
  });

  it('reports registers missing from the block as bad', () => {
    expect(decodeRegisters(tag({ dataType: 'uint32', address: 1 }), [1, 2], 0).quality).toBe('bad');
    expect(decodeRegisters(tag({ address: 0 }), [1, 2], 1).quality).toBe('bad');
  });

  it('decodes bits', () => {
    const coil = tag({ table: 'coil', dataType: 'bool', address: 3 });
    expect(decodeBits(coil, [false, true], 2)).toEqual({ value: true, quality: 'good' });
    expect(decodeBits(coil, [false], 3)).toEqual({ value: false, quality: 'good' });
    expect(decodeBits(coil, [false], 5)).toEqual({ value: null, quality: 'bad' });
  });
});
