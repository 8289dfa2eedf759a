import type { ModbusConnectorConfig, ModbusTagConfig } from '@unison/config';
import type { Sample } from '@unison/contracts';
import type { Logger } from 'pino';
import { exponentialBackoff } from '../../lib/backoff.ts';
import { errorMessage, sleep } from '../../lib/sleep.ts';
import { type Connector, type ConnectorStatus, connectionStatus, type EmitSamples } from '../connector.ts';
import type { Decoded } from './modbus.decode.ts';
import { connectModbusRtu } from './modbus.rtu.ts';
import { connectModbusTcp } from './modbus.tcp.ts';
import { type ModbusTransport, modbusReader } from './modbus.transport.ts';
import { type ModbusConfigError, modbusUnit, type TagValues, type UnitStatus } from './modbus.unit.ts';

export interface ModbusConnectorStatus extends ConnectorStatus {
  units: UnitStatus[];
  /** Tags the device refused (exception 0x01/0x02/0x03 on their own): disabled until the config is fixed. */
  configErrors: ModbusConfigError[];
}

export interface ModbusConnectorInstance extends Connector {
  status(): ModbusConnectorStatus;
}

export type ConnectModbus = (config: ModbusConnectorConfig) => Promise<ModbusTransport>;

export interface ModbusConnectorOptions {
  log: Logger;
  connect?: ConnectModbus;
  now?: () => number;
}

/** Opens the link the config names: a TCP connection or a serial line. */
export const connectModbus: ConnectModbus = (config) => {
  if (config.transport === 'rtu') {
    if (!config.serial) throw new Error(`${config.id}: Modbus RTU needs serial settings`);
    return connectModbusRtu({ ...config.serial, interFrameDelayMs: config.interFrameDelayMs });
  }
  return connectModbusTcp({
    host: config.host ?? '127.0.0.1',
    port: config.port,
    timeoutMs: config.timeoutMs,
  });
};

/**
 * Polls Modbus units over one link and emits tags by exception (on a change of value or quality).
 * Each unit (tags default to the connector's unitId) has its own queue and back-off.
 */
export function modbusConnector(
  config: ModbusConnectorConfig,
  { log, connect = connectModbus, now = Date.now }: ModbusConnectorOptions,
): ModbusConnectorInstance {
  const status = connectionStatus();
  const configErrors: ModbusConfigError[] = [];
  const lastEmitted = new Map<ModbusTagConfig, Decoded>();
  let emit: EmitSamples = () => {};

  function emitChanges(values: TagValues) {
    const tsMs = now();
    const changed: Sample[] = [];
    for (const [tag, next] of values) {
      const previous = lastEmitted.get(tag);
      if (previous && previous.value === next.value && previous.quality === next.quality) continue;
      lastEmitted.set(tag, next);
      changed.push({ machine: tag.machine, tag: tag.tag, tsMs, ...next });
    }
    if (changed.length > 0) emit(changed);
  }

  const tagsByUnit = Map.groupBy(config.tags, (tag) => tag.unitId ?? config.unitId);
  const units = [...tagsByUnit].map(([unitId, tags]) =>
    modbusUnit({
      unitId,
      tags,
      config,
      log,
      onValues: (values) => {
        if (values.some(([, decoded]) => decoded.quality !== 'bad')) status.set('connected');
        emitChanges(values);
      },
      onConfigError: (error) => {
        configErrors.push(error);
        status.set('connected', `${error.machine}/${error.tag} disabled: ${error.error}`);
      },
    }),
  );
  const allBad = () => emitChanges(units.flatMap((unit) => unit.allBad()));

  async function run(signal: AbortSignal) {
    const backoff = exponentialBackoff(config.reconnect);
    while (!signal.aborted) {
      status.set('connecting');
      let transport: ModbusTransport | undefined;
      let running: Promise<void>[] = [];
      const connection = new AbortController();
      const stopConnection = () => connection.abort();
      signal.addEventListener('abort', stopConnection, { once: true });
      try {
        transport = await connect(config);
        if (signal.aborted) break;
        status.set('connected');
        log.info({ connector: config.id }, 'modbus connected');
        backoff.reset();
        const reader = modbusReader(transport, config.timeoutMs);
        running = units.map((unit) => unit.run(reader, connection.signal));
        // The first link failure ends every unit's loop; the link is then recreated.
        await Promise.all(running);
      } catch (error) {
        connection.abort();
        if (signal.aborted) break;
        status.set('disconnected', errorMessage(error));
        log.warn({ connector: config.id, err: errorMessage(error) }, 'modbus link failed; reconnecting');
        allBad();
      } finally {
        signal.removeEventListener('abort', stopConnection);
        connection.abort();
        transport?.close();
        await Promise.allSettled(running);
      }
      await sleep(backoff.next(), signal);
    }
  }

  let running: Promise<void> | undefined;
  let controller: AbortController | undefined;
  return {
    id: config.id,
    type: 'modbus',
    status: () => ({
      ...status.get(),
      units: units.map((unit) => unit.status()),
      configErrors: [...configErrors],
    }),
    async start(onSamples) {
      emit = onSamples;
      controller = new AbortController();
      running = run(controller.signal);
      const stop = controller;
      const loop = running;
      return async () => {
        stop.abort();
        await loop;
        status.set('stopped');
      };
    },
  };
}
