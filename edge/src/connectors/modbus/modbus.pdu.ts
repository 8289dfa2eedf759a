import type { ModbusTable } from './modbus.decode.ts';

const READ_FUNCTION: Record<ModbusTable, number> = { coil: 0x01, discrete: 0x02, holding: 0x03, input: 0x04 };

/** What an exception code means for the poller (Modbus Application Protocol v1.1b3, section 7). */
export const EXCEPTION_MEANING: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** The device answered with an exception: the connection is fine, the request was not. */
export class ModbusExceptionError extends Error {
  readonly code: number;
  constructor(code: number, what: string) {
    const meaning = EXCEPTION_MEANING[code] ?? 'unknown exception';
    super(`${what}: exception 0x${code.toString(16).padStart(2, '0')} (${meaning})`);
    this.name = 'ModbusExceptionError';
    this.code = code;
  }
}

/** No answer within the request's timeout. */
export class ModbusTimeoutError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`${what}: timed out after ${timeoutMs} ms`);
    this.name = 'ModbusTimeoutError';
  }
}

/** The link itself failed (socket closed, port gone): the client has to be recreated. */
export class ModbusLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModbusLinkError';
  }
}

export function readRequest(table: ModbusTable, start: number, count: number): Buffer {
  const pdu = Buffer.alloc(5);
  pdu.writeUInt8(READ_FUNCTION[table], 0);
  pdu.writeUInt16BE(start, 1);
  pdu.writeUInt16BE(count, 3);
  return pdu;
}

/** Length of a response PDU once its first two bytes are known (function code, then exception code or byte count). */
export function responsePduLength(head: Buffer): number | undefined {
  if (head.length < 2) return undefined;
  const functionCode = head.readUInt8(0);
  return functionCode & 0x80 ? 2 : 2 + head.readUInt8(1);
}

/** The registers or bits of a read response; throws the device's exception. */
export function parseReadResponse(
  table: ModbusTable,
  count: number,
  pdu: Buffer,
  what: string,
): number[] | boolean[] {
  const functionCode = pdu.readUInt8(0);
  if (functionCode === (READ_FUNCTION[table] | 0x80)) throw new ModbusExceptionError(pdu.readUInt8(1), what);
  const byteCount = pdu.readUInt8(1);
  const bits = table === 'coil' || table === 'discrete';
  const expectedBytes = bits ? Math.ceil(count / 8) : count * 2;
  if (functionCode !== READ_FUNCTION[table] || byteCount !== expectedBytes || pdu.length !== 2 + byteCount) {
    throw new ModbusLinkError(`${what}: malformed response (function ${functionCode}, ${byteCount} bytes)`);
  }
  if (bits)
    return Array.from({ length: count }, (_, i) => ((pdu.readUInt8(2 + (i >> 3)) >> (i & 7)) & 1) === 1);
  return Array.from({ length: count }, (_, i) => pdu.readUInt16BE(2 + i * 2));
}
