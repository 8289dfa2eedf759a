import type { ModbusCoalescingConfig, ModbusTagConfig } from '@unison/config';
import { isBitTable, type ModbusTable, tagWidth } from './modbus.decode.ts';

/** One read request: a contiguous range of one table of one unit, and the tags it covers. */
export interface ReadBlock {
  unitId: number;
  table: ModbusTable;
  start: number;
  count: number;
  tags: ModbusTagConfig[];
}

export type Coalescing = ModbusCoalescingConfig;

export const DEFAULT_COALESCING: Coalescing = {
  enabled: true,
  maxGapRegisters: 16,
  maxGapBits: 256,
  maxRegisters: 125,
  maxBits: 2000,
};

const end = (tag: ModbusTagConfig) => tag.address + tagWidth(tag);

export const singleTagBlock = (unitId: number, tag: ModbusTagConfig): ReadBlock => ({
  unitId,
  table: tag.table,
  start: tag.address,
  count: tagWidth(tag),
  tags: [tag],
});

/**
 * Coalesces one unit's tags into as few requests as the limits allow: per table, in address order,
 * a tag joins the open block while the block stays within the request size and the hole before
 * the tag is at most the configured gap.
 */
export function planBlocks(
  unitId: number,
  tags: ModbusTagConfig[],
  coalescing: Coalescing = DEFAULT_COALESCING,
): ReadBlock[] {
  if (!coalescing.enabled) return tags.map((tag) => singleTagBlock(unitId, tag));
  const blocks: ReadBlock[] = [];
  for (const [table, tableTags] of Map.groupBy(tags, (tag) => tag.table)) {
    const bits = isBitTable(table);
    const maxCount = bits ? coalescing.maxBits : coalescing.maxRegisters;
    const maxGap = bits ? coalescing.maxGapBits : coalescing.maxGapRegisters;
    let open: ReadBlock | undefined;
    for (const tag of tableTags.toSorted((a, b) => a.address - b.address)) {
      const openEnd = open ? open.start + open.count : 0;
      if (open && tag.address - openEnd <= maxGap && Math.max(openEnd, end(tag)) - open.start <= maxCount) {
        open.count = Math.max(openEnd, end(tag)) - open.start;
        open.tags.push(tag);
        continue;
      }
      open = singleTagBlock(unitId, tag);
      blocks.push(open);
    }
  }
  return blocks;
}
