import { resolve } from 'node:path';
import { ConfigError, loadPlantConfig, type PlantConfig } from '@unison/config';
import pino from 'pino';

const SHUTDOWN_DEADLINE_MS = 4500;

// `pnpm edge opcua browse|trust …`: a one-shot command, not the gateway.
if (process.argv[2] === 'opcua') {
  const { runOpcuaCli } = await import('./cli/opcua.cli.ts');
  const code = await runOpcuaCli(process.argv.slice(3), {
    env: process.env,
    cwd: process.cwd(),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
  process.stdout.write('', () => process.exit(code));
  await new Promise(() => {});
}

const configFile = resolve(process.cwd(), process.env.EDGE_CONFIG ?? 'firmware-config/plants/demo.yaml');
let config: PlantConfig;
try {
  config = loadPlantConfig(configFile, process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
config.edge.dataDir = resolve(process.cwd(), config.edge.dataDir);

// Loaded after the config check, so a bad file is reported without waiting for the protocol stacks.
const { startEdge } = await import('./edge.ts');
const log = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const edge = await startEdge(config, { log, onProgress: (line) => log.info(line) }).catch(
  (error: unknown) => {
    log.fatal({ err: error }, 'edge failed to start');
    process.exit(1);
  },
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping edge');
  // A hung socket must not keep the process past its supervisor's patience.
  const deadline = setTimeout(() => {
    log.warn('shutdown deadline passed; exiting');
    process.exit(0);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  await edge.stop();
  log.info('edge stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
