import { z } from 'zod';
import { simulatorOptionsFromEnv } from './simulator.env.ts';

const STOP_DEADLINE_MS = 4000;

const parsed = simulatorOptionsFromEnv(process.env);
if (!parsed.ok) {
  console.error(`simulator: invalid configuration: ${parsed.error}`);
  process.exit(2);
}
const { options } = parsed;

// The serial devices are opt-in: a pseudo-terminal path for the scanner, a pty path or TCP port for the printer.
const DeviceEnv = z.object({
  SIM_SCANNER_PTY: z.string().startsWith('/', 'must be an absolute path').optional(),
  SIM_SCAN_INTERVAL_MS: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of milliseconds')
    .transform(Number)
    .refine((ms) => ms >= 100, 'must be at least 100')
    .default(5000),
  SIM_PRINTER_PTY: z.string().startsWith('/', 'must be an absolute path').optional(),
  SIM_PRINTER_PORT: z
    .string()
    .regex(/^\d+$/, 'must be a port number from 0 to 65535')
    .transform(Number)
    .refine((port) => port <= 65_535, 'must be a port number from 0 to 65535')
    .optional(),
});
const deviceEnv = DeviceEnv.safeParse(
  Object.fromEntries(Object.entries(process.env).filter(([key, value]) => key.startsWith('SIM_') && value)),
);
if (!deviceEnv.success) {
  const issue = deviceEnv.error.issues[0]!;
  const name = String(issue.path[0]);
  console.error(
    `simulator: invalid configuration: ${name}=${JSON.stringify(process.env[name])} ${issue.message}`,
  );
  process.exit(2);
}
const devices = deviceEnv.data;
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

const { socatAvailable, startDemoDevices } = await import('./devices/demo.devices.ts');
const wantsPty = devices.SIM_SCANNER_PTY !== undefined || devices.SIM_PRINTER_PTY !== undefined;
if (wantsPty && !socatAvailable()) {
  console.error(
    'simulator: SIM_SCANNER_PTY and SIM_PRINTER_PTY need socat (apt-get install socat, brew install socat)',
  );
  await simulator.stop();
  process.exit(1);
}
const demoDevices = await startDemoDevices({
  scannerPty: devices.SIM_SCANNER_PTY,
  printer: devices.SIM_PRINTER_PTY
    ? { pty: devices.SIM_PRINTER_PTY }
    : devices.SIM_PRINTER_PORT !== undefined
      ? { port: devices.SIM_PRINTER_PORT, host: options.host }
      : undefined,
  scanEveryMs: devices.SIM_SCAN_INTERVAL_MS,
  onScan: (what) => log(`scanner: scanned ${what}`),
}).catch(async (error: unknown) => {
  console.error(
    `simulator: devices failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  await simulator.stop();
  process.exit(1);
});
if (devices.SIM_SCANNER_PTY)
  log(
    `scanner: serial on ${devices.SIM_SCANNER_PTY} (pty), a GS1 code every ${devices.SIM_SCAN_INTERVAL_MS} ms`,
  );
if (devices.SIM_PRINTER_PTY) log(`printer: Zebra ZPL on ${devices.SIM_PRINTER_PTY} (pty)`);
else if (demoDevices.printerPort !== undefined)
  log(`printer: Zebra ZPL on tcp://${options.host}:${demoDevices.printerPort}`);
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
  Promise.all([demoDevices.stop(), simulator.stop()]).then(
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
