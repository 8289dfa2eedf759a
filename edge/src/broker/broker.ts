import { createServer, type Socket } from 'node:net';
import type { BrokerUserConfig } from '@unison/config';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { brokerSecurity } from './broker.auth.ts';

export interface Broker {
  port: number;
  clients(): number;
  /** Publishes from inside the edge (no socket, no permission check). */
  publish(
    topic: string,
    payload: string | Buffer,
    options?: { retain?: boolean; qos?: 0 | 1 },
  ): Promise<void>;
  stop(): Promise<void>;
}

export interface BrokerOptions {
  host?: string;
  port?: number;
  /** Per-device credentials and topic permissions; empty lets every client in. */
  users?: BrokerUserConfig[];
  log: Logger;
}

/** An embedded MQTT broker for machines that publish straight to the edge. */
export async function startBroker({
  host = '0.0.0.0',
  port = 1883,
  users = [],
  log,
}: BrokerOptions): Promise<Broker> {
  const aedes = await Aedes.createBroker(brokerSecurity(users, log));
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
  log.info({ host, port: boundPort, users: users.length }, 'mqtt broker listening');
  let stopping: Promise<void> | undefined;
  return {
    port: boundPort,
    clients: () => aedes.connectedClients,
    publish: (topic, payload, { retain = false, qos = 0 } = {}) =>
      new Promise((resolve, reject) =>
        aedes.publish({ cmd: 'publish', topic, payload, qos, retain, dup: false }, (error) =>
          error ? reject(error) : resolve(),
        ),
      ),
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await closed;
      })();
      return stopping;
    },
  };
}
