import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import { openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { withTenant } from './db/tenant.ts';
import { createApp } from './http/app.ts';
import type { IdentityOptions } from './modules/auth/auth.routes.ts';
import { createSigningKeyRing, type SigningKeyRing } from './modules/auth/signing-key-ring.ts';
import { createUserTokens } from './modules/auth/tokens.ts';
import { createEnrollmentCode, type EnrollmentCodeInput } from './modules/edges/enrollment.service.ts';
import {
  type CreatedOrganization,
  type CreateOrganizationInput,
  createOrganization,
} from './modules/organizations/organizations.service.ts';
import { createPlatformAdmin } from './modules/organizations/platform.service.ts';
import { syncBuiltInRoles } from './modules/roles/roles.service.ts';
import { listenChangeSignal, pollingChangeSignal } from './modules/sync/changes.signal.ts';

export interface CloudOptions {
  /** PostgreSQL server; without it the cloud runs on PGlite. */
  databaseUrl?: string;
  /** PGlite data directory; undefined keeps the database in memory. */
  dataDir?: string;
  log?: Logger | false;
  onProgress?: (line: string) => void;
  /** The non-superuser role requests run as. */
  appRole?: string;
  identity?: CloudIdentityOptions;
}

/** Token lifetimes, key rollover and login throttling; every field has a default. */
export interface CloudIdentityOptions extends IdentityOptions {
  accessTokenTtlSeconds?: number;
  /** How long a retired signing key still verifies; keep it above the access-token lifetime. */
  keyRolloverMs?: number;
}

export interface Cloud {
  app: ReturnType<typeof createApp>;
  /** Port 0 picks a free port; the url always points at 127.0.0.1 unless another host was asked for. */
  listen(options: { port: number; host?: string }): Promise<{ url: string }>;
  admin: {
    createOrganization(input: CreateOrganizationInput): Promise<CreatedOrganization>;
    createEnrollmentCode(input: EnrollmentCodeInput): Promise<{ code: string; expiresAt: string }>;
    /** Signs with a new key from now on; tokens of the old key verify for the rollover window. */
    rotateSigningKey(): Promise<{ kid: string }>;
    /** A platform operator; the password is generated (and returned once) unless given. */
    createPlatformAdmin(input: {
      email: string;
      password?: string;
    }): Promise<{ id: string; email: string; password: string }>;
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
  identity = {},
}: CloudOptions = {}): Promise<Cloud> {
  const log = logOption === false ? pino({ enabled: false }) : (logOption ?? pino());
  onProgress(databaseUrl ? 'connecting to PostgreSQL' : `starting PGlite (${dataDir ?? 'in memory'})`);
  const db = await openDatabase({ databaseUrl, dataDir, appRole });
  let app: ReturnType<typeof createApp>;
  let signingKeys: SigningKeyRing;
  const changeSignal = databaseUrl
    ? listenChangeSignal({ databaseUrl, onError: (error) => log.warn({ err: error }, 'change listener') })
    : pollingChangeSignal();
  try {
    await migrate(db, { onProgress });
    await syncBuiltInRoles(db);
    const { accessTokenTtlSeconds, keyRolloverMs, ...appIdentity } = identity;
    signingKeys = await createSigningKeyRing(db, { rolloverMs: keyRolloverMs });
    const tokens = createUserTokens({ keys: signingKeys, ttlSeconds: accessTokenTtlSeconds });
    app = createApp({ db, tokens, log, identity: appIdentity, changeSignal });
  } catch (error) {
    await changeSignal.close();
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
      rotateSigningKey: () => signingKeys.rotate(),
      createPlatformAdmin: (input) => createPlatformAdmin(db, input),
    },
    queryAsTenant: (organizationId, text, params) =>
      withTenant(db, { organizationId }, (tx) => tx.query(text, params)),
    close: () => {
      closing ??= (async () => {
        await Promise.all([...servers].map(stopServer));
        await changeSignal.close();
        await db.close();
      })();
      return closing;
    },
  };
}
