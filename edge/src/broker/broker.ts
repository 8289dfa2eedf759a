import { createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';

export interface Broker {
  port: number;
  clients(): number;
  stop(): Promise<void>;
}

/** An embedded MQTT broker for machines that publish straight to the edge. */
export async function startBroker({
  host = '0.0.0.0',
  port = 1883,
  log,
}: {
  host?: string;
  port?: number;
  log: Logger;
}): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  aedes.on('clientError', (client, error) =>
    log.debug({ client: client.id, err: error.message }, 'mqtt client error'),
  );
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  log.info({ host, port: boundPort }, 'mqtt broker listening');
  return {
    port: boundPort,
    clients: () => aedes.connectedClients,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await closed;
    },
  };
}
