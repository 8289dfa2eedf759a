import type { ModbusTagConfig } from '@unison/config';
import type { Quality, SampleValue } from '@unison/contracts';

export type ModbusTable = ModbusTagConfig['table'];

/** One read request: a contiguous range of one table and the tags it covers. */
export interface ReadBlock {
  table: ModbusTable;
  start: number;
  count: number;
  tags: ModbusTagConfig[];
}

const MAX_REGISTERS = 125;
const MAX_BITS = 2000;

export const isBitTable = (table: ModbusTable) => table === 'coil' || table === 'discrete';

export function width(tag: Pick<ModbusTagConfig, 'dataType'>): number {
  return tag.dataType === 'int32' || tag.dataType === 'uint32' || tag.dataType === 'float32' ? 2 : 1;
}

/** Coalesces the tags per table into one min..max block when it fits one request, else a block per tag. */
export function planBlocks(tags: ModbusTagConfig[]): ReadBlock[] {
  const byTable = Map.groupBy(tags, (tag) => tag.table);
  const blocks: ReadBlock[] = [];
  for (const [table, tableTags] of byTable) {
    const start = Math.min(...tableTags.map((t) => t.address));
    const end = Math.max(...tableTags.map((t) => t.address + width(t)));
    const limit = isBitTable(table) ? MAX_BITS : MAX_REGISTERS;
    if (end - start <= limit) blocks.push({ table, start, count: end - start, tags: tableTags });
    else
      for (const tag of tableTags) blocks.push({ table, start: tag.address, count: width(tag), tags: [tag] });
  }
  return blocks;
}

export interface Decoded {
  value: SampleValue;
  quality: Quality;
}

/** Decodes one tag from 16-bit registers read from `blockStart`, then applies scale and offset. */
export function decodeRegisters(tag: ModbusTagConfig, registers: number[], blockStart: number): Decoded {
  const at = tag.address - blockStart;
  const first = registers[at];
  const second = registers[at + 1];
  if (first === undefined || (width(tag) === 2 && second === undefined))
    return { value: null, quality: 'bad' };
  const view = new DataView(new ArrayBuffer(4));
  const [high, low] = tag.wordOrder === 'CDAB' ? [second ?? 0, first] : [first, second ?? 0];
  view.setUint16(0, high);
  view.setUint16(2, low);
  let raw: number;
  switch (tag.dataType) {
    case 'int16':
      raw = (first << 16) >> 16;
      break;
    case 'uint16':
      raw = first & 0xffff;
      break;
    case 'int32':
      raw = view.getInt32(0);
      break;
    case 'uint32':
      raw = view.getUint32(0);
      break;
    case 'float32':
      raw = view.getFloat32(0);
      break;
    case 'bool':
      raw = first ? 1 : 0;
      break;
  }
  const value = raw * tag.scale + tag.offset;
  return Number.isFinite(value) ? { value, quality: 'good' } : { value: null, quality: 'bad' };
}

export function decodeBits(tag: ModbusTagConfig, bits: boolean[], blockStart: number): Decoded {
  const bit = bits[tag.address - blockStart];
  return bit === undefined ? { value: null, quality: 'bad' } : { value: bit, quality: 'good' };
}
