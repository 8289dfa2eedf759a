import { connect, type Socket } from 'node:net';
import { ModbusLinkError, ModbusTimeoutError, responsePduLength } from './modbus.pdu.ts';
import type { ModbusTransport } from './modbus.transport.ts';

interface Pending {
  unitId: number;
  resolve(pdu: Buffer): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** A silent connection is a dead one: this many timeouts in a row, with no answer between, end it. */
const TIMEOUTS_BEFORE_RECONNECT = 3;
const MBAP_HEADER_BYTES = 7;

export async function connectModbusTcp({
  host,
  port,
  timeoutMs,
}: {
  host: string;
  port: number;
  timeoutMs: number;
}): Promise<ModbusTransport> {
  const socket = await openSocket(host, port, timeoutMs);
  const pending = new Map<number, Pending>();
  let nextTransactionId = 1;
  let received = Buffer.alloc(0);
  let failure: ModbusLinkError | undefined;
  let silentTimeouts = 0;

  function fail(error: ModbusLinkError) {
    failure ??= error;
    for (const [id, request] of pending) {
      clearTimeout(request.timer);
      pending.delete(id);
      request.reject(failure);
    }
    socket.destroy();
  }

  socket.on('error', (error) =>
    fail(new ModbusLinkError(`connection to ${host}:${port} failed: ${error.message}`)),
  );
  socket.on('close', () => fail(new ModbusLinkError(`connection to ${host}:${port} closed`)));
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    while (received.length >= MBAP_HEADER_BYTES) {
      const frameBytes = 6 + received.readUInt16BE(4);
      if (received.length < frameBytes) return;
      const transactionId = received.readUInt16BE(0);
      const pdu = received.subarray(MBAP_HEADER_BYTES, frameBytes);
      received = received.subarray(frameBytes);
      const request = pending.get(transactionId);
      // A late answer to a request that already timed out is dropped.
      if (!request || pdu.length < 2 || responsePduLength(pdu) !== pdu.length) continue;
      silentTimeouts = 0;
      clearTimeout(request.timer);
      pending.delete(transactionId);
      request.resolve(Buffer.from(pdu));
    }
  });

  return {
    request(unitId, pdu, requestTimeoutMs) {
      if (failure) return Promise.reject(failure);
      const transactionId = nextTransactionId;
      nextTransactionId = (nextTransactionId % 0xffff) + 1;
      const header = Buffer.alloc(MBAP_HEADER_BYTES);
      header.writeUInt16BE(transactionId, 0);
      header.writeUInt16BE(pdu.length + 1, 4);
      header.writeUInt8(unitId, 6);
      return new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(transactionId);
          silentTimeouts += 1;
          if (silentTimeouts >= TIMEOUTS_BEFORE_RECONNECT) {
            fail(new ModbusLinkError(`no answer on ${host}:${port} for ${silentTimeouts} requests`));
          }
          reject(new ModbusTimeoutError(`unit ${unitId}`, requestTimeoutMs));
        }, requestTimeoutMs);
        pending.set(transactionId, { unitId, resolve, reject, timer });
        socket.write(Buffer.concat([header, pdu]));
      });
    },
    close: () => fail(new ModbusLinkError('closed')),
  };
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ModbusLinkError(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ModbusLinkError(`connect to ${host}:${port} failed: ${error.message}`));
    });
  });
}
