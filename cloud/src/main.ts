import pino from 'pino';
import { createCloud } from './cloud.ts';
import { loadCloudConfig } from './config.ts';

const SHUTDOWN_DEADLINE_MS = 4_500;

const config = loadCloudConfig(process.env);
const log = pino({ level: config.logLevel, base: { service: 'unison-cloud' } });

const cloud = await createCloud({
  databaseUrl: config.databaseUrl,
  dataDir: config.databaseUrl ? undefined : config.dataDir,
  log,
  onProgress: (line) => log.info(line),
  identity: { trustedProxyHeader: config.trustedProxyHeader, keyRolloverMs: config.keyRolloverMs },
});
const { url } = await cloud.listen({ port: config.port, host: config.host });
log.info({ url, docs: `${url}/docs` }, `cloud listening on ${url}`);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  setTimeout(() => {
    log.error('shutdown deadline passed, exiting');
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS).unref();
  cloud.close().then(
    () => {
      log.info('stopped');
      process.exitCode = 0;
    },
    (error: unknown) => {
      log.error({ err: error }, 'shutdown failed');
      process.exitCode = 1;
    },
  );
};
process.once('SIGINT', () => shutdown('SIGINT'));
process.once('SIGTERM', () => shutdown('SIGTERM'));
