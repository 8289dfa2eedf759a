import { connect, createServer, type Socket } from 'node:net';

/**
 * What the proxy does to one connection: forward it, cut it halfway through the first request,
 * cut it when the server starts answering (the server has done the work; the client never learns),
 * or refuse it outright.
 */
export type ProxyMode = 'pass' | 'cut-request' | 'cut-response' | 'refuse';

export interface TcpProxyOptions {
  target: { host: string; port: number };
  /** Decides each new connection's fate from its index. */
  plan?: (connectionIndex: number) => ProxyMode;
  /** A passing connection is closed after this many server chunks, so faults keep coming under keep-alive. */
  maxChunksPerConnection?: number;
}

/** A TCP proxy on 127.0.0.1 that breaks connections on purpose. */
export async function startTcpProxy({
  target,
  plan = () => 'pass',
  maxChunksPerConnection = Number.POSITIVE_INFINITY,
}: TcpProxyOptions) {
  let decide = plan;
  const stats = { connections: 0, cutRequests: 0, cutResponses: 0, refused: 0 };
  const sockets = new Set<Socket>();
  const requestWaiters: (() => void)[] = [];

  const server = createServer((client) => {
    const mode = decide(stats.connections++);
    if (mode === 'refuse') {
      stats.refused += 1;
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let serverChunks = 0;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (mode === 'cut-request') {
        stats.cutRequests += 1;
        upstream.write(chunk.subarray(0, Math.floor(chunk.length / 2)), cut);
        return;
      }
      upstream.write(chunk);
      for (const resolve of requestWaiters.splice(0)) resolve();
    });
    upstream.on('data', (chunk: Buffer) => {
      if (mode === 'cut-response') {
        stats.cutResponses += 1;
        cut();
        return;
      }
      client.write(chunk);
      serverChunks += 1;
      if (serverChunks >= maxChunksPerConnection) client.end(cut);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    for (const socket of [client, upstream]) {
      socket.on('error', cut);
      socket.on('close', () => {
        sockets.delete(socket);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    /** Changes the fate of connections opened from now on; open ones keep theirs. */
    setPlan(next: (connectionIndex: number) => ProxyMode) {
      decide = next;
    },
    /** Resolves when the next request bytes have been forwarded to the server: a request is in flight. */
    nextRequest: () => new Promise<void>((resolve) => requestWaiters.push(resolve)),
    /** Cuts every open connection now. */
    cutAll() {
      for (const socket of sockets) socket.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export type TcpProxy = Awaited<ReturnType<typeof startTcpProxy>>;
