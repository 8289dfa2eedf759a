import { createServer, type Socket } from 'node:net';
import type { ModbusDevice } from './modbus.device.ts';

const MBAP_HEADER_BYTES = 7;

/** Serves a device over Modbus TCP; each request is answered on its own, so a silent unit delays nobody. */
export async function serveModbusTcp(
  device: ModbusDevice,
  { host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {},
): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= MBAP_HEADER_BYTES) {
        const frameBytes = 6 + received.readUInt16BE(4);
        if (received.length < frameBytes) return;
        const header = received.subarray(0, MBAP_HEADER_BYTES);
        const response = device.handle(header.readUInt8(6), received.subarray(MBAP_HEADER_BYTES, frameBytes));
        received = received.subarray(frameBytes);
        if (!response) continue;
        const answer = Buffer.concat([header, response]);
        answer.writeUInt16BE(response.length + 1, 4);
        socket.write(answer);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  let stopping: Promise<void> | undefined;
  return {
    port: address && typeof address === 'object' ? address.port : port,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return stopping;
    },
  };
}
