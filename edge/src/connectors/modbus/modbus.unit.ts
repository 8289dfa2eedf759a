import type { ModbusConnectorConfig, ModbusTagConfig } from '@unison/config';
import type { Logger } from 'pino';
import { exponentialBackoff } from '../../lib/backoff.ts';
import { sleep } from '../../lib/sleep.ts';
import { DEFAULT_COALESCING, planBlocks, type ReadBlock, singleTagBlock } from './modbus.blocks.ts';
import { BAD, type Decoded, decodeBits, decodeRegisters, isBitTable } from './modbus.decode.ts';
import { ModbusExceptionError, ModbusLinkError, ModbusTimeoutError } from './modbus.pdu.ts';
import type { ModbusReader } from './modbus.transport.ts';

export type TagValues = [ModbusTagConfig, Decoded][];

/** A tag the device refused as addressed: it stays off until the configuration is fixed. */
export interface ModbusConfigError {
  unitId: number;
  machine: string;
  tag: string;
  table: ModbusTagConfig['table'];
  address: number;
  error: string;
}

export interface UnitStatus {
  unitId: number;
  state: 'polling' | 'backing-off';
  lastError?: string;
}

const DEFAULT_UNIT_BACKOFF = { initialDelayMs: 1000, maxDelayMs: 60_000 };

/** Exceptions that say the request itself is wrong for this device: split the block, then disable the tag. */
const CONFIG_EXCEPTIONS = new Set([0x01, 0x02, 0x03]);
const BUSY = 0x06;
const GATEWAY_EXCEPTIONS = new Set([0x0a, 0x0b]);

/**
 * Polls one unit in its own queue: its requests go one at a time, and its timeouts or gateway
 * failures back off this unit alone, so a dead unit never holds up the others on the link.
 */
export function modbusUnit({
  unitId,
  tags,
  config,
  log,
  onValues,
  onConfigError,
}: {
  unitId: number;
  tags: ModbusTagConfig[];
  config: Pick<ModbusConnectorConfig, 'id' | 'pollIntervalMs' | 'unitBackoff' | 'coalescing'>;
  log: Logger;
  onValues: (values: TagValues) => void;
  onConfigError: (error: ModbusConfigError) => void;
}) {
  // Survives reconnects: blocks already split and tags already disabled stay that way.
  let blocks = planBlocks(unitId, tags, { ...DEFAULT_COALESCING, ...config.coalescing });
  const backoff = exponentialBackoff(config.unitBackoff ?? DEFAULT_UNIT_BACKOFF);
  const status: UnitStatus = { unitId, state: 'polling' };
  const context = { connector: config.id, unitId };

  const allBad = (): TagValues =>
    blocks.flatMap((block) => block.tags.map((tag) => [tag, BAD] as [ModbusTagConfig, Decoded]));

  async function readBlock(reader: ModbusReader, block: ReadBlock): Promise<TagValues> {
    const data = await reader.read(unitId, block.table, block.start, block.count);
    return block.tags.map((tag) => [
      tag,
      isBitTable(block.table)
        ? decodeBits(tag, data as boolean[], block.start)
        : decodeRegisters(tag, data as number[], block.start),
    ]);
  }

  /** A block the device refused: read its tags one by one from now on; a single tag refused is disabled. */
  async function refused(
    reader: ModbusReader,
    block: ReadBlock,
    error: ModbusExceptionError,
  ): Promise<TagValues> {
    const replaceWith = (next: ReadBlock[]) => {
      blocks = blocks.flatMap((candidate) => (candidate === block ? next : [candidate]));
    };
    if (block.tags.length > 1 || block.count > 1) {
      const singles = block.tags.map((tag) => singleTagBlock(unitId, tag));
      if (singles.length > 1 || singles[0]?.count !== block.count) {
        log.warn({ ...context, err: error.message }, 'modbus block refused; reading its tags one by one');
        replaceWith(singles);
        const values: TagValues = [];
        for (const single of singles) values.push(...(await readOutcome(reader, single)));
        return values;
      }
    }
    const [tag] = block.tags;
    replaceWith([]);
    if (!tag) return [];
    const configError = {
      unitId,
      machine: tag.machine,
      tag: tag.tag,
      table: tag.table,
      address: tag.address,
      error: error.message,
    };
    log.error(configError, 'modbus tag disabled: the device refuses its address; fix the tag map');
    onConfigError(configError);
    return [[tag, BAD]];
  }

  /** Reads one block; exceptions are handled by meaning, timeouts and gateway failures propagate. */
  async function readOutcome(reader: ModbusReader, block: ReadBlock): Promise<TagValues> {
    try {
      return await readBlock(reader, block);
    } catch (error) {
      if (!(error instanceof ModbusExceptionError) || GATEWAY_EXCEPTIONS.has(error.code)) throw error;
      status.lastError = error.message;
      if (CONFIG_EXCEPTIONS.has(error.code)) return refused(reader, block, error);
      if (error.code === BUSY) {
        log.debug({ ...context, err: error.message }, 'modbus device busy; retrying next poll');
        return [];
      }
      log.warn({ ...context, err: error.message }, 'modbus read failed');
      return block.tags.map((tag) => [tag, BAD]);
    }
  }

  async function pollOnce(reader: ModbusReader): Promise<number> {
    const values: TagValues = [];
    try {
      for (const block of [...blocks]) values.push(...(await readOutcome(reader, block)));
    } catch (error) {
      if (error instanceof ModbusLinkError) throw error;
      if (!(error instanceof ModbusTimeoutError || error instanceof ModbusExceptionError)) throw error;
      const delayMs = backoff.next();
      status.state = 'backing-off';
      status.lastError = error.message;
      log.warn(
        { ...context, err: error.message, retryInMs: delayMs },
        'modbus unit not answering; backing off',
      );
      onValues(allBad());
      return delayMs;
    }
    backoff.reset();
    status.state = 'polling';
    onValues(values);
    return 0;
  }

  return {
    unitId,
    status: (): UnitStatus => ({ ...status }),
    allBad,
    /** Polls until `signal` aborts; rejects with ModbusLinkError when the link fails. */
    async run(reader: ModbusReader, signal: AbortSignal) {
      while (!signal.aborted) {
        const startedMs = Date.now();
        const backoffMs = await pollOnce(reader);
        const waitMs = backoffMs || Math.max(0, config.pollIntervalMs - (Date.now() - startedMs));
        await sleep(waitMs, signal);
      }
    },
  };
}
