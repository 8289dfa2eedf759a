import type { ModbusTagConfig } from '@unison/config';
import { describe, expect, it } from 'vitest';
import { decodeBits, decodeRegisters, planBlocks } from './modbus.registers.ts';

const tag = (over: Partial<ModbusTagConfig>): ModbusTagConfig => ({
  machine: 'cnc-1',
  tag: 't',
  table: 'holding',
  address: 0,
  dataType: 'uint16',
  wordOrder: 'ABCD',
  scale: 1,
  offset: 0,
  ...over,
});

/** The two registers of a 32-bit value written high word first. */
function words(write: (view: DataView) => void): [number, number] {
  const view = new DataView(new ArrayBuffer(4));
  write(view);
  return [view.getUint16(0), view.getUint16(2)];
}

describe('modbus register decoding', () => {
  it('decodes 16-bit types', () => {
    expect(decodeRegisters(tag({ dataType: 'uint16' }), [0xffff], 0).value).toBe(65535);
    expect(decodeRegisters(tag({ dataType: 'int16' }), [0xffff], 0).value).toBe(-1);
    expect(decodeRegisters(tag({ dataType: 'int16' }), [0x7fff], 0).value).toBe(32767);
    expect(decodeRegisters(tag({ dataType: 'int16' }), [0x8000], 0).value).toBe(-32768);
  });

  it.each([
    ['int32', -123_456_789, (v: DataView) => v.setInt32(0, -123_456_789)],
    ['uint32', 4_000_000_000, (v: DataView) => v.setUint32(0, 4_000_000_000)],
    ['float32', Math.fround(21.75), (v: DataView) => v.setFloat32(0, 21.75)],
  ] as const)('decodes %s in both word orders', (dataType, expected, write) => {
    const [high, low] = words(write);
    expect(decodeRegisters(tag({ dataType, address: 10 }), [0, high, low], 9)).toEqual({
      value: expected,
      quality: 'good',
    });
    expect(decodeRegisters(tag({ dataType, address: 10, wordOrder: 'CDAB' }), [0, low, high], 9)).toEqual({
      value: expected,
      quality: 'good',
    });
  });

  it('applies scale then offset', () => {
    expect(decodeRegisters(tag({ scale: 0.1, offset: -40 }), [650], 0).value).toBeCloseTo(25);
  });

  it('turns NaN and Infinity into null with bad quality', () => {
    const nan = words((v) => v.setFloat32(0, Number.NaN));
    const inf = words((v) => v.setFloat32(0, Number.POSITIVE_INFINITY));
    expect(decodeRegisters(tag({ dataType: 'float32' }), nan, 0)).toEqual({ value: null, quality: 'bad' });
    expect(decodeRegisters(tag({ dataType: 'float32' }), inf, 0)).toEqual({ value: null, quality: 'bad' });
  });

  it('reports a register outside the block as bad', () => {
    expect(decodeRegisters(tag({ dataType: 'uint32', address: 1 }), [1, 2], 0).quality).toBe('bad');
  });

  it('decodes bits', () => {
    const coil = tag({ table: 'coil', dataType: 'bool', address: 3 });
    expect(decodeBits(coil, [false, true], 2)).toEqual({ value: true, quality: 'good' });
    expect(decodeBits(coil, [false], 3)).toEqual({ value: false, quality: 'good' });
  });
});

describe('modbus read planning', () => {
  it('coalesces each table into one block when the span fits', () => {
    const blocks = planBlocks([
      tag({ address: 0 }),
      tag({ address: 4, dataType: 'uint32' }),
      tag({ table: 'input', address: 0, dataType: 'float32' }),
      tag({ table: 'coil', address: 7, dataType: 'bool' }),
      tag({ table: 'coil', address: 1500, dataType: 'bool' }),
    ]);
    expect(blocks.map(({ table, start, count, tags }) => [table, start, count, tags.length])).toEqual([
      ['holding', 0, 6, 2],
      ['input', 0, 2, 1],
      ['coil', 7, 1494, 2],
    ]);
  });

  it('reads tag by tag when a table spans more than one request allows', () => {
    const blocks = planBlocks([tag({ address: 0 }), tag({ address: 200, dataType: 'float32' })]);
    expect(blocks.map((b) => [b.start, b.count])).toEqual([
      [0, 1],
      [200, 2],
    ]);
  });
});
