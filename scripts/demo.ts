// `pnpm demo`: the cloud on embedded PGlite, a simulated plant and an edge, wired together on this machine.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createCloud } from '@unison/cloud';
import { socatAvailable, startDemoDevices, startSimulator } from '@unison/simulator';
import { EDGE_NODE_FLAGS } from '../edge/src/runtime.flags.ts';

const root = resolve(import.meta.dirname, '..');
const env = process.env;
const demoDir = resolve(env.DEMO_DATA_DIR ?? join(root, '.data', 'demo'));
const tty = process.stdout.isTTY === true;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const started = Date.now();
const step = (n: number, what: string) =>
  console.log(`${dim(`[${((Date.now() - started) / 1000).toFixed(1)}s]`)} ${bold(`[${n}/5]`)} ${what}`);

/** The wanted port if it is free, otherwise any free port (the URLs printed say which). */
function portNear(wanted: number): Promise<number> {
  const attempt = (port: number) =>
    new Promise<number>((ok, fail) => {
      const server = createServer().once('error', fail);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => ok(typeof address === 'object' && address ? address.port : port));
      });
    });
  return attempt(wanted).catch(() => attempt(0));
}

// Each demo starts a fresh edge database and identity; the cloud is in memory anyway.
rmSync(join(demoDir, 'edge'), { recursive: true, force: true });
mkdirSync(demoDir, { recursive: true });

step(1, 'starting the cloud on embedded PGlite (running migrations)…');
const cloud = await createCloud({ log: false, onProgress: (line) => console.log(dim(`      ${line}`)) });
const cloudPort = await portNear(Number(env.CLOUD_PORT ?? 8080));
const { url: cloudUrl } = await cloud.listen({ port: cloudPort, host: '127.0.0.1' });

step(2, 'creating two organizations, one plant and one admin each…');
const acme = await cloud.admin.createOrganization({
  name: 'Acme Stamping',
  plant: { code: 'demo-plant', name: 'Acme Plant 1' },
  admin: { email: 'admin@acme.example' },
});
const globex = await cloud.admin.createOrganization({
  name: 'Globex Foods',
  plant: { code: 'globex-plant', name: 'Globex Plant 1' },
  admin: { email: 'admin@globex.example' },
});
const enrollment = await cloud.admin.createEnrollmentCode({
  organizationId: acme.organizationId,
  plantId: acme.plantId,
});

step(3, 'starting the simulated plant: OPC UA presses, Modbus mills, MQTT fillers, a scanner and a printer…');
const brokerPort = await portNear(0);
const sim = await startSimulator({
  seed: Number(env.SIM_SEED ?? 42),
  tickMs: 1000,
  opcua: { port: 0, pkiDir: join(root, '.data', 'sim-pki') },
  modbus: { port: 0 },
  mqtt: { url: `mqtt://127.0.0.1:${brokerPort}`, topicPrefix: 'sim' },
});
// The scanner needs a pseudo-terminal (socat); the printer can fall back to raw TCP.
const withPty = socatAvailable();
const devicesDir = join(demoDir, 'devices');
rmSync(devicesDir, { recursive: true, force: true });
mkdirSync(devicesDir, { recursive: true });
if (!withPty) {
  console.log(
    dim(
      '      socat not found: no simulated scanner, printer over TCP (apt-get install socat / brew install socat)',
    ),
  );
}
const scannerPty = join(devicesDir, 'scanner');
const printerPty = join(devicesDir, 'printer');
const devices = await startDemoDevices({
  ...(withPty ? { scannerPty, printer: { pty: printerPty } } : { printer: { port: 0 } }),
  scanEveryMs: Number(env.DEMO_SCAN_INTERVAL_MS ?? 4000),
});
const printerAddress = withPty ? `serial:${printerPty}` : `tcp://127.0.0.1:${devices.printerPort}`;

step(4, "starting the edge for Acme's plant (enrolling with a one-time code)…");
const edgePort = await portNear(Number(env.EDGE_PORT ?? 8081));
const edgeLog = join(demoDir, 'edge.log');
const edgeOut = createWriteStream(edgeLog);
const edgeProcess: ChildProcess = spawn(
  process.execPath,
  [...EDGE_NODE_FLAGS, join(root, 'edge', 'src', 'main.ts')],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      EDGE_CONFIG: join(root, 'firmware-config', 'plants', 'demo.yaml'),
      EDGE_DATA_DIR: join(demoDir, 'edge'),
      EDGE_PORT: String(edgePort),
      EDGE_BROKER_PORT: String(brokerPort),
      CLOUD_URL: cloudUrl,
      EDGE_ENROLLMENT_CODE: enrollment.code,
      SIM_OPCUA_URL: sim.endpoints.opcua,
      SIM_MODBUS_HOST: sim.endpoints.modbus?.host,
      SIM_MODBUS_PORT: String(sim.endpoints.modbus?.port),
      SIM_MQTT_URL: `mqtt://127.0.0.1:${brokerPort}`,
      SIM_MQTT_PREFIX: 'sim',
      DEMO_SCANNER_PATH: scannerPty,
      DEMO_PRINTER: printerAddress,
    },
  },
);
edgeProcess.stdout?.pipe(edgeOut);
edgeProcess.stderr?.pipe(edgeOut);
const edgeUrl = `http://127.0.0.1:${edgePort}`;

interface EdgeStatus {
  samples: { recorded: number; uploaded: number; backlog: number };
  cloud: { status: string };
  connectors: { id: string; type: string; status: string }[];
  stations?: { accepted: number; rejected: number }[];
  printers?: { printed: number }[];
}
async function edgeStatus(): Promise<EdgeStatus | undefined> {
  try {
    const response = await fetch(`${edgeUrl}/api/status`, { signal: AbortSignal.timeout(800) });
    return response.ok ? ((await response.json()) as EdgeStatus) : undefined;
  } catch {
    return undefined;
  }
}

let stopping = false;
edgeProcess.once('exit', (code) => {
  if (!stopping) {
    console.error(`\nthe edge exited unexpectedly (code ${code}); its log: ${edgeLog}`);
    void shutdown(1);
  }
});
for (let i = 0; i < 300 && !stopping && (await edgeStatus()) === undefined; i++) {
  await new Promise((r) => setTimeout(r, 100));
}

step(5, 'ready.');
console.log(`
  ${bold('Cloud API')}       ${cloudUrl}          (docs: ${cloudUrl}/docs, OpenAPI: ${cloudUrl}/openapi.json)
  ${bold('Edge')}            ${edgeUrl}/api/status   (metrics: ${edgeUrl}/metrics, log: ${edgeLog})
  ${bold('OPC UA sim')}      ${sim.endpoints.opcua}
  ${bold('Modbus sim')}      ${sim.endpoints.modbus?.host}:${sim.endpoints.modbus?.port}  (units 1 and 2)
  ${bold('MQTT broker')}     mqtt://127.0.0.1:${brokerPort}  (the edge's embedded broker; topics sim/+/status)
  ${bold('Scanner sim')}     ${withPty ? `${scannerPty} (pty; a GS1 lot or serial every few seconds)` : 'off (needs socat)'}
  ${bold('Zebra sim')}       ${printerAddress}  (labels for received lots and registered serials)

  ${bold('Acme Stamping')}   ${acme.admin.email}    password ${acme.admin.password}   (the edge runs in this plant)
  ${bold('Globex Foods')}    ${globex.admin.email}  password ${globex.admin.password}  (sees none of Acme's data)

  Try:  TOKEN=$(curl -s ${cloudUrl}/api/v1/auth/login -H 'content-type: application/json' \\
          -d '{"email":"${acme.admin.email}","password":"${acme.admin.password}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
        curl -s ${cloudUrl}/api/v1/machines -H "authorization: Bearer $TOKEN"

  Ctrl-C stops everything.
`);

const mark = (status: string) => (status === 'connected' ? '✓' : status === 'connecting' ? '…' : '✗');
const timer = setInterval(
  async () => {
    const status = await edgeStatus();
    if (stopping) return;
    const scans = (status?.stations ?? []).reduce((sum, s) => sum + s.accepted + s.rejected, 0);
    const labels = (status?.printers ?? []).reduce((sum, p) => sum + p.printed, 0);
    const line = status
      ? `recorded ${status.samples.recorded} · uploaded ${status.samples.uploaded} · backlog ${status.samples.backlog} · cloud ${status.cloud.status} · ${status.connectors.map((c) => `${c.id} ${mark(c.status)}`).join(' ')} · scans ${scans} · labels ${labels}`
      : 'edge not answering yet…';
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else console.log(line);
  },
  Number(env.DEMO_STATUS_INTERVAL_MS ?? (tty ? 1000 : 5000)),
);

async function shutdown(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  console.log('\nstopping: edge, simulator, devices, cloud…');
  const force = setTimeout(() => {
    console.error('did not stop within 4.5 s; forcing exit');
    edgeProcess.kill('SIGKILL');
    process.exit(exitCode || 1);
  }, 4500);
  const edgeExited = new Promise<void>((r) => {
    if (edgeProcess.exitCode !== null || edgeProcess.signalCode !== null) r();
    else edgeProcess.once('exit', () => r());
  });
  edgeProcess.kill('SIGTERM');
  await Promise.allSettled([edgeExited, sim.stop()]);
  await devices.stop();
  await cloud.close();
  clearTimeout(force);
  console.log('stopped.');
  process.exit(exitCode);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
