import type { ModbusConnectorConfig, ModbusTagConfig } from '@unison/config';
import type { Sample } from '@unison/contracts';
import type { Logger } from 'pino';
import { exponentialBackoff } from '../../lib/backoff.ts';
import { errorMessage, sleep } from '../../lib/sleep.ts';
import { type Connector, connectionStatus, type EmitSamples } from '../connector.ts';
import { connectModbusTcp, isModbusException, type ModbusClient } from './modbus.client.ts';
import { type Decoded, decodeBits, decodeRegisters, planBlocks, type ReadBlock } from './modbus.registers.ts';

export interface ModbusConnectorOptions {
  log: Logger;
  connect?: typeof connectModbusTcp;
  now?: () => number;
}

/** Polls a Modbus TCP device and emits tags by exception (on a change of value or quality). */
export function modbusConnector(
  config: ModbusConnectorConfig,
  { log, connect = connectModbusTcp, now = Date.now }: ModbusConnectorOptions,
): Connector {
  const status = connectionStatus();
  const blocks = planBlocks(config.tags);
  const lastEmitted = new Map<ModbusTagConfig, Decoded>();

  function emitChanges(emit: EmitSamples, decoded: [ModbusTagConfig, Decoded][]) {
    const tsMs = now();
    const changed: Sample[] = [];
    for (const [tag, next] of decoded) {
      const previous = lastEmitted.get(tag);
      if (previous && previous.value === next.value && previous.quality === next.quality) continue;
      lastEmitted.set(tag, next);
      changed.push({ machine: tag.machine, tag: tag.tag, tsMs, ...next });
    }
    if (changed.length > 0) emit(changed);
  }

  const allBad = (): [ModbusTagConfig, Decoded][] =>
    config.tags.map((tag) => [tag, { value: null, quality: 'bad' }]);

  async function readBlock(client: ModbusClient, block: ReadBlock): Promise<[ModbusTagConfig, Decoded][]> {
    try {
      if (block.table === 'coil' || block.table === 'discrete') {
        const bits = await client.readBits(block.table, block.start, block.count);
        return block.tags.map((tag) => [tag, decodeBits(tag, bits, block.start)]);
      }
      const registers = await client.readRegisters(block.table, block.start, block.count);
      return block.tags.map((tag) => [tag, decodeRegisters(tag, registers, block.start)]);
    } catch (error) {
      if (!isModbusException(error)) throw error;
      status.set('connected', errorMessage(error));
      return block.tags.map((tag) => [tag, { value: null, quality: 'bad' }]);
    }
  }

  async function run(emit: EmitSamples, signal: AbortSignal) {
    const backoff = exponentialBackoff(config.reconnect);
    while (!signal.aborted) {
      status.set('connecting');
      let client: ModbusClient | undefined;
      try {
        client = await connect(config);
        if (signal.aborted) break;
        status.set('connected');
        log.info({ connector: config.id }, 'modbus connected');
        backoff.reset();
        lastEmitted.clear();
        while (!signal.aborted) {
          const startedMs = Date.now();
          const decoded: [ModbusTagConfig, Decoded][] = [];
          for (const block of blocks) decoded.push(...(await readBlock(client, block)));
          emitChanges(emit, decoded);
          await sleep(Math.max(0, config.pollIntervalMs - (Date.now() - startedMs)), signal);
        }
      } catch (error) {
        if (signal.aborted) break;
        status.set('disconnected', errorMessage(error));
        log.warn({ connector: config.id, err: errorMessage(error) }, 'modbus connection failed');
        emitChanges(emit, allBad());
      } finally {
        client?.close();
      }
      await sleep(backoff.next(), signal);
    }
  }

  return {
    id: config.id,
    type: 'modbus',
    status: status.get,
    async start(emit) {
      const controller = new AbortController();
      const running = run(emit, controller.signal);
      return async () => {
        controller.abort();
        await running;
        status.set('stopped');
      };
    },
  };
}
