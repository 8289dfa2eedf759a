import { describe, expect, it } from 'vitest';
import { type Coalescing, planBlocks } from './modbus.blocks.ts';
import { modbusTag as tag } from './modbus.test-tags.ts';

const coalescing: Coalescing = {
  enabled: true,
  maxGapRegisters: 16,
  maxGapBits: 256,
  maxRegisters: 125,
  maxBits: 2000,
};
const shape = (blocks: ReturnType<typeof planBlocks>) =>
  blocks.map(({ table, start, count, tags }) => [table, start, count, tags.length]);

describe('modbus read planning', () => {
  it('coalesces each table into blocks, closing a block at a gap larger than allowed', () => {
    const blocks = planBlocks(
      1,
      [
        tag({ address: 4, dataType: 'uint32' }),
        tag({ address: 0 }),
        tag({ address: 30 }),
        tag({ table: 'input', address: 0, dataType: 'float64' }),
        tag({ table: 'coil', address: 7, dataType: 'bool' }),
        tag({ table: 'coil', address: 200, dataType: 'bool' }),
        tag({ table: 'coil', address: 1500, dataType: 'bool' }),
      ],
      coalescing,
    );
    expect(shape(blocks)).toEqual([
      ['holding', 0, 6, 2],
      ['holding', 30, 1, 1],
      ['input', 0, 4, 1],
      ['coil', 7, 194, 2],
      ['coil', 1500, 1, 1],
    ]);
    expect(blocks.every((block) => block.unitId === 1)).toBe(true);
  });

  it('never exceeds 125 registers or 2000 bits in one request', () => {
    const registers = Array.from({ length: 300 }, (_, address) => tag({ address }));
    const blocks = planBlocks(1, registers, coalescing);
    expect(blocks.map((b) => b.count)).toEqual([125, 125, 50]);
    const bits = Array.from({ length: 4500 }, (_, address) =>
      tag({ table: 'discrete', dataType: 'bool', address }),
    );
    expect(planBlocks(1, bits, coalescing).map((b) => b.count)).toEqual([2000, 2000, 500]);
  });

  it('keeps a multi-register tag whole at a block boundary', () => {
    const tags = [tag({ address: 0 }), tag({ address: 124, dataType: 'uint32' })];
    expect(shape(planBlocks(1, tags, coalescing))).toEqual([
      ['holding', 0, 1, 1],
      ['holding', 124, 2, 1],
    ]);
  });

  it('honours a device limit and a zero gap', () => {
    const tags = [tag({ address: 0 }), tag({ address: 1 }), tag({ address: 3 }), tag({ address: 4 })];
    expect(shape(planBlocks(1, tags, { ...coalescing, maxGapRegisters: 0 }))).toEqual([
      ['holding', 0, 2, 2],
      ['holding', 3, 2, 2],
    ]);
    expect(shape(planBlocks(1, tags, { ...coalescing, maxRegisters: 3 }))).toEqual([
      ['holding', 0, 2, 2],
      ['holding', 3, 2, 2],
    ]);
  });

  it('reads tag by tag when coalescing is off', () => {
    const tags = [tag({ address: 0 }), tag({ address: 1, dataType: 'float32' })];
    expect(shape(planBlocks(1, tags, { ...coalescing, enabled: false }))).toEqual([
      ['holding', 0, 1, 1],
      ['holding', 1, 2, 1],
    ]);
  });
});
