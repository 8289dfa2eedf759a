import ModbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';

// The package's types declare an ES default export, but at run time the CommonJS module itself is the class.
const ModbusClient = ModbusSerial as unknown as typeof ModbusRTU;

export async function connectModbusClient(host: string, port: number, timeoutMs = 1000): Promise<ModbusRTU> {
  const client = new ModbusClient();
  await client.connectTCP(host, { port });
  client.setTimeout(timeoutMs);
  return client;
}

export const closeModbusClient = (client: ModbusRTU) =>
  new Promise<void>((resolve) => client.close(() => resolve()));
