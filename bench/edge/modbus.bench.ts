// Modbus registers/s with coalesced block reads vs tag-by-tag reads, same device, same run.
// Run alone: node bench/edge/modbus.bench.ts [seconds per mode]
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createModbusDevice, serveModbusTcp } from '@unison/simulator';
import { modbusConnector } from '../../edge/src/connectors/modbus/modbus.connector.ts';
import { ModbusConnector } from '../../packages/config/src/modbus.schema.ts';

export interface BenchRow {
  figure: string;
  value: number;
  unit: string;
  target?: string;
}

const TAGS = 500;
const pino = createRequire(join(import.meta.dirname, '../../edge/package.json'))('pino') as (options: {
  level: string;
}) => Parameters<typeof modbusConnector>[1]['log'];

/** Polls TAGS uint16 holding registers as fast as the connector goes for `seconds`; registers read per second. */
async function registersPerSecond(
  coalesce: boolean,
  seconds: number,
): Promise<{ perSecond: number; requests: number }> {
  const device = createModbusDevice({ units: { 1: { holding: Array.from({ length: TAGS }, (_, i) => i) } } });
  const server = await serveModbusTcp(device);
  const config = ModbusConnector.parse({
    type: 'modbus',
    id: 'bench',
    host: '127.0.0.1',
    port: server.port,
    pollIntervalMs: 10,
    timeoutMs: 2000,
    coalescing: { enabled: coalesce },
    tags: Array.from({ length: TAGS }, (_, address) => ({
      machine: 'cnc-1',
      tag: `r${address}`,
      table: 'holding',
      address,
      dataType: 'uint16',
    })),
  });
  // The configuration floor (10 ms between polls) would cap the coalesced mode at 100 polls/s; the bench
  // polls back to back to measure what each way of reading costs.
  const connector = modbusConnector({ ...config, pollIntervalMs: 0 }, { log: pino({ level: 'silent' }) });
  const stop = await connector.start(() => {});
  const startedMs = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const served = device.served.get(1) ?? { requests: 0, items: 0 };
  const elapsedS = (performance.now() - startedMs) / 1000;
  await stop();
  await server.stop();
  return { perSecond: served.items / elapsedS, requests: served.requests };
}

export async function runModbusBench(secondsPerMode = 5) {
  const coalesced = await registersPerSecond(true, secondsPerMode);
  const perTag = await registersPerSecond(false, secondsPerMode);
  const ratio = coalesced.perSecond / Math.max(1, perTag.perSecond);
  const rows: BenchRow[] = [
    {
      figure: `Modbus TCP registers/s, coalesced (${TAGS} uint16 tags)`,
      value: Math.round(coalesced.perSecond),
      unit: 'registers/s',
    },
    {
      figure: `Modbus TCP registers/s, tag by tag (${TAGS} uint16 tags)`,
      value: Math.round(perTag.perSecond),
      unit: 'registers/s',
    },
    { figure: 'Modbus coalescing gain', value: Math.round(ratio * 10) / 10, unit: '×', target: '> 1' },
  ];
  return {
    rows,
    figures: {
      modbus_coalesced_registers_per_s: rows[0]?.value ?? 0,
      modbus_per_tag_registers_per_s: rows[1]?.value ?? 0,
      modbus_coalescing_ratio: rows[2]?.value ?? 0,
    },
  };
}

if (import.meta.main) {
  const result = await runModbusBench(Number(process.argv[2] ?? 5));
  console.table(result.rows);
}
