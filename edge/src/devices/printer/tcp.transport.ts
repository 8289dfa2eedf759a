import { connect, type Socket } from 'node:net';
import {
  answerCollector,
  claimPrinter,
  NotConnectedError,
  type PrinterTransport,
} from './printer.transport.ts';

export interface TcpTransportOptions {
  host: string;
  port: number;
  connectTimeoutMs?: number;
}

/** Raw TCP (port 9100) to a printer: one connection, opened on first use and again after it drops. */
export function tcpTransport({ host, port, connectTimeoutMs = 2000 }: TcpTransportOptions): PrinterTransport {
  const address = `tcp://${host}:${port}`;
  const release = claimPrinter(address);
  const answers = answerCollector();
  let socket: Socket | undefined;
  let connecting: Promise<Socket> | undefined;

  const open = () =>
    new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port });
      const timer = setTimeout(
        () => s.destroy(new Error(`connect to ${address} timed out`)),
        connectTimeoutMs,
      );
      s.once('connect', () => {
        clearTimeout(timer);
        s.setNoDelay(true);
        resolve(s);
      });
      s.once('error', (error) => {
        clearTimeout(timer);
        reject(new NotConnectedError(`${address}: ${error.message}`));
      });
      s.on('data', (bytes) => answers.onData(bytes));
      s.on('close', () => {
        if (socket === s) socket = undefined;
      });
    });

  const ensureOpen = async () => {
    if (socket && !socket.destroyed) return socket;
    connecting ??= open().finally(() => {
      connecting = undefined;
    });
    socket = await connecting;
    socket.on('error', () => socket?.destroy());
    return socket;
  };

  const send = async (bytes: Buffer) => {
    const s = await ensureOpen();
    await new Promise<void>((resolve, reject) =>
      s.write(bytes, (error) => (error ? reject(error) : resolve())),
    );
  };

  return {
    address,
    write: (bytes) => answers.serialise(() => send(bytes)),
    request: (bytes, complete, timeoutMs) =>
      answers.serialise(() => answers.collect(() => send(bytes), complete, timeoutMs)),
    async close() {
      release();
      socket?.destroy();
      socket = undefined;
    },
  };
}
