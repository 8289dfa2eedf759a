import type { ModbusTable } from './modbus.decode.ts';
import { parseReadResponse, readRequest } from './modbus.pdu.ts';

/** One Modbus link (a TCP connection or a serial line): request PDU in, response PDU out. */
export interface ModbusTransport {
  /** Rejects with ModbusTimeoutError after timeoutMs, or ModbusLinkError when the link failed. */
  request(unitId: number, pdu: Buffer, timeoutMs: number): Promise<Buffer>;
  close(): void;
}

export interface ModbusReader {
  read(unitId: number, table: ModbusTable, start: number, count: number): Promise<number[] | boolean[]>;
}

export function modbusReader(transport: ModbusTransport, timeoutMs: number): ModbusReader {
  return {
    async read(unitId, table, start, count) {
      const what = `unit ${unitId} ${table} ${start}+${count}`;
      const response = await transport.request(unitId, readRequest(table, start, count), timeoutMs);
      return parseReadResponse(table, count, response, what);
    },
  };
}
