import ModbusSerial from 'modbus-serial';
import type { ModbusTable } from './modbus.registers.ts';

/** The few Modbus calls the connector makes, over one TCP connection. */
// The package sets module.exports to the class, while its typings declare an ES default export.
const ModbusRTU = ModbusSerial as unknown as typeof ModbusSerial.default;

export interface ModbusClient {
  readBits(table: 'coil' | 'discrete', start: number, count: number): Promise<boolean[]>;
  readRegisters(table: 'holding' | 'input', start: number, count: number): Promise<number[]>;
  close(): void;
}

export async function connectModbusTcp({
  host,
  port,
  unitId,
  timeoutMs,
}: {
  host: string;
  port: number;
  unitId: number;
  timeoutMs: number;
}): Promise<ModbusClient> {
  const client = new ModbusRTU();
  // Socket errors surface through the pending request; without a listener they would crash the process.
  client.on('error', () => {});
  const close = () => client.destroy(() => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connectTCP(host, { port }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`connect timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  client.setID(unitId);
  client.setTimeout(timeoutMs);
  return {
    readBits: async (table, start, count) =>
      (table === 'coil'
        ? await client.readCoils(start, count)
        : await client.readDiscreteInputs(start, count)
      ).data,
    readRegisters: async (table, start, count) =>
      (table === 'holding'
        ? await client.readHoldingRegisters(start, count)
        : await client.readInputRegisters(start, count)
      ).data,
    close,
  };
}

/** A Modbus exception reply (e.g. illegal address): the device answered, the connection is fine. */
export function isModbusException(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'modbusCode' in error;
}

export type { ModbusTable };
