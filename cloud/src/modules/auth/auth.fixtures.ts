import { createTestDatabase, databaseBackends } from '@unison/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { type Cloud, type CloudOptions, createCloud } from '../../index.ts';

/** Like the shared per-backend suite, with cloud options of the suite's own (limits, windows). */
export function describeEachBackendWith(
  title: string,
  options: Omit<CloudOptions, 'databaseUrl' | 'dataDir' | 'log'>,
  suite: (cloud: () => Cloud) => void,
): void {
  for (const backend of databaseBackends()) {
    describe(`${title} [${backend.kind}]`, () => {
      let cloud: Cloud | undefined;
      let drop: (() => Promise<void>) | undefined;
      beforeAll(async () => {
        if (backend.kind === 'postgres') {
          const database = await createTestDatabase(backend.serverUrl);
          drop = database.drop;
          cloud = await createCloud({ ...options, databaseUrl: database.url, log: false });
        } else {
          cloud = await createCloud({ ...options, log: false });
        }
      });
      afterAll(async () => {
        await cloud?.close();
        await drop?.();
      });
      suite(() => cloud!);
    });
  }
}

/** A request as if from a socket at `address`, the way @hono/node-server hands it to the app. */
export async function callFrom(
  cloud: Cloud,
  address: string,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect response bodies loosely
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await cloud.app.request(
    path,
    {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    { incoming: { socket: { remoteAddress: address, remotePort: 40_000, remoteFamily: 'IPv4' } } },
  );
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}
