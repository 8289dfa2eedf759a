import { simulatorOptionsFromEnv } from './simulator.env.ts';

const STOP_DEADLINE_MS = 4000;

const parsed = simulatorOptionsFromEnv(process.env);
if (!parsed.ok) {
  console.error(`simulator: invalid configuration: ${parsed.error}`);
  process.exit(2);
}
const { options } = parsed;
const log = (line: string) => console.log(`[sim] ${line}`);

const protocols = [
  options.opcua ? `OPC UA on port ${options.opcua.port}` : 'OPC UA off',
  options.modbus ? `Modbus TCP on port ${options.modbus.port}` : 'Modbus off',
  options.mqtt ? `MQTT to ${options.mqtt.url}` : 'MQTT off',
].join(', ');
log(
  `starting plant simulator (seed ${options.seed}, tick ${options.tickMs} ms, host ${options.host}): ${protocols}`,
);

// Loaded after validation so that a bad variable is reported without loading the protocol stacks.
const { startSimulator } = await import('./simulator.ts');
let simulator: Awaited<ReturnType<typeof startSimulator>>;
try {
  simulator = await startSimulator({ ...options, log });
} catch (error) {
  console.error(`simulator: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const { endpoints } = simulator;
if (endpoints.opcua) log(`OPC UA endpoint: ${endpoints.opcua} (press-1..3, namespace urn:unison:simulator)`);
if (endpoints.modbus)
  log(`Modbus TCP endpoint: ${endpoints.modbus.host}:${endpoints.modbus.port} (cnc-1 unit 1, cnc-2 unit 2)`);
if (endpoints.mqtt)
  log(
    `MQTT: publishing filler-1..2 to ${endpoints.mqtt.url} as ${endpoints.mqtt.topicPrefix}/<machine>/status`,
  );
log('ready; Ctrl-C to stop');

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal} received, stopping`);
  setTimeout(() => {
    console.error(`simulator: did not stop within ${STOP_DEADLINE_MS} ms, exiting`);
    process.exit(1);
  }, STOP_DEADLINE_MS).unref();
  simulator.stop().then(
    () => {
      log('stopped');
      process.exit(0);
    },
    (error: unknown) => {
      console.error(
        `simulator: error while stopping: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exit(1);
    },
  );
};
process.once('SIGINT', () => shutdown('SIGINT'));
process.once('SIGTERM', () => shutdown('SIGTERM'));
