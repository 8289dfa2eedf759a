import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import { openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { withTenant } from './db/tenant.ts';
import { createApp } from './http/app.ts';
import { loadOrCreateSigningKey } from './modules/auth/signing-keys.repository.ts';
import { createUserTokens } from './modules/auth/tokens.ts';
import { createEnrollmentCode, type EnrollmentCodeInput } from './modules/edges/enrollment.service.ts';
import {
  type CreatedOrganization,
  type CreateOrganizationInput,
  createOrganization,
} from './modules/organizations/organizations.service.ts';

export interface CloudOptions {
  /** PostgreSQL server; without it the cloud runs on PGlite. */
  databaseUrl?: string;
  /** PGlite data directory; undefined keeps the database in memory. */
  dataDir?: string;
  log?: Logger | false;
  onProgress?: (line: string) => void;
  /** The non-superuser role requests run as. */
  appRole?: string;
}

export interface Cloud {
  app: ReturnType<typeof createApp>;
  /** Port 0 picks a free port; the url always points at 127.0.0.1 unless another host was asked for. */
  listen(options: { port: number; host?: string }): Promise<{ url: string }>;
  admin: {
    createOrganization(input: CreateOrganizationInput): Promise<CreatedOrganization>;
    createEnrollmentCode(input: EnrollmentCodeInput): Promise<{ code: string; expiresAt: string }>;
  };
  /** Runs raw SQL as the app role inside the organization's tenant context (tests and diagnostics). */
  queryAsTenant(organizationId: string, text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Stops the server and closes the database; safe to call more than once. */
  close(): Promise<void>;
}

/** Connects, migrates and loads (or makes) the signing key; the returned cloud is ready to serve. */
export async function createCloud({
  databaseUrl,
  dataDir,
  log: logOption,
  onProgress = () => {},
  appRole,
}: CloudOptions = {}): Promise<Cloud> {
  const log = logOption === false ? pino({ enabled: false }) : (logOption ?? pino());
  onProgress(databaseUrl ? 'connecting to PostgreSQL' : `starting PGlite (${dataDir ?? 'in memory'})`);
  const db = await openDatabase({ databaseUrl, dataDir, appRole });
  let app: ReturnType<typeof createApp>;
  try {
    await migrate(db, { onProgress });
    const tokens = createUserTokens({ signingKey: await loadOrCreateSigningKey(db) });
    app = createApp({ db, tokens, log });
  } catch (error) {
    await db.close();
    throw error;
  }

  const servers = new Set<ReturnType<typeof serve>>();
  let closing: Promise<void> | undefined;

  const listen = ({ port, host = '127.0.0.1' }: { port: number; host?: string }) =>
    new Promise<{ url: string }>((resolve, reject) => {
      const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
        const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
        resolve({ url: `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${info.port}` });
      });
      server.once('error', reject);
      servers.add(server);
    });

  const stopServer = (server: ReturnType<typeof serve>) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });

  return {
    app,
    listen,
    admin: {
      createOrganization: (input) => createOrganization(db, input),
      createEnrollmentCode: (input) => createEnrollmentCode(db, input),
    },
    queryAsTenant: (organizationId, text, params) =>
      withTenant(db, { organizationId }, (tx) => tx.query(text, params)),
    close: () => {
      closing ??= (async () => {
        await Promise.all([...servers].map(stopServer));
        await db.close();
      })();
      return closing;
    },
  };
}
