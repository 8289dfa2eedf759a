import { createServer, type Socket } from 'node:net';
import { openPtyEnd } from './pty.end.ts';
import { createZebraModel, type ZebraModel } from './zebra.model.ts';

export interface SimulatedPrinter {
  model: ZebraModel;
  /** The TCP port, when listening on TCP. */
  port?: number;
  /** Second clients turned away while one was connected. */
  refusedClients(): number;
  stop(): Promise<void>;
}

export interface SimulatedPrinterOptions {
  printMsPerLabel?: number;
}

/** A Zebra printer on raw TCP (9100-style). Like the real thing it serves one client at a time. */
export async function startZebraPrinterTcp({
  port = 0,
  host = '127.0.0.1',
  printMsPerLabel = 0,
}: SimulatedPrinterOptions & { port?: number; host?: string } = {}): Promise<SimulatedPrinter> {
  const model = createZebraModel({ printMsPerLabel });
  const sockets = new Set<Socket>();
  let owner: Socket | undefined;
  let refused = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      if (owner === socket) owner = undefined;
    });
    socket.on('error', () => {});
    if (owner) {
      refused++;
      socket.destroy();
      return;
    }
    owner = socket;
    socket.on('data', (bytes) => {
      const answer = model.receive(bytes);
      if (answer) socket.write(answer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    model,
    port: typeof address === 'object' && address ? address.port : port,
    refusedClients: () => refused,
    async stop() {
      model.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A Zebra printer on the far end of a pseudo-terminal serial line. */
export function startZebraPrinterSerial({
  path,
  printMsPerLabel = 0,
}: SimulatedPrinterOptions & { path: string }): SimulatedPrinter {
  const model = createZebraModel({ printMsPerLabel });
  const end = openPtyEnd(path);
  end.onData((bytes) => {
    const answer = model.receive(bytes);
    if (answer) end.write(answer).catch(() => {});
  });
  return {
    model,
    refusedClients: () => 0,
    async stop() {
      model.stop();
      end.close();
    },
  };
}
