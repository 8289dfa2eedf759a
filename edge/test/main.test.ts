import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, tempDir, waitFor } from '@unison/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '../..');
const dir = tempDir('unison-edge-main-');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  dir.remove();
});

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['edge/src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  return { child, output, exited };
}

describe('edge main', () => {
  it('exits 2 naming the file and the reason when the config is malformed', async () => {
    const file = join(dir.path, 'broken.yaml');
    writeFileSync(file, 'edge:\n  name: x\n  plant: [unclosed\n');
    const { output, exited } = run({ EDGE_CONFIG: file });
    const [code] = await exited;
    expect(code).toBe(2);
    expect(output.stderr).toContain(file);
    expect(output.stderr).toMatch(/line \d+/);
  });

  it('exits 2 when the config does not validate', async () => {
    const file = join(dir.path, 'invalid.yaml');
    writeFileSync(file, 'edge: { name: x, plant: p }\ncloud: { url: ftp://nope }\nmachines: []\n');
    const { output, exited } = run({ EDGE_CONFIG: file });
    const [code] = await exited;
    expect(code).toBe(2);
    expect(output.stderr).toContain(file);
    expect(output.stderr).toContain('cloud.url');
  });

  it('runs the demo plant with nothing reachable, serves status and stops on SIGINT', async () => {
    const [httpPort, brokerPort, closedPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const { child, output, exited } = run({
      EDGE_PORT: String(httpPort),
      EDGE_BROKER_PORT: String(brokerPort),
      EDGE_DATA_DIR: join(dir.path, 'data'),
      CLOUD_URL: `http://127.0.0.1:${closedPort}`,
      SIM_OPCUA_URL: `opc.tcp://127.0.0.1:${closedPort}`,
      SIM_MODBUS_PORT: String(closedPort),
      SIM_MQTT_URL: `mqtt://127.0.0.1:${closedPort}`,
    });
    const base = `http://127.0.0.1:${httpPort}`;
    const health = await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`exited early: ${output.stderr}`);
        const response = await fetch(`${base}/health`);
        return response.ok ? response.json() : undefined;
      },
      { what: 'edge /health' },
    );
    expect(health).toEqual({ status: 'ok' });

    const status = await (await fetch(`${base}/api/status`)).json();
    expect(status.edge).toMatchObject({ name: 'demo-edge-1', plant: 'demo-plant' });
    expect(status.cloud.status).toBe('not enrolled');
    expect(status.connectors.map((c: { id: string }) => c.id)).toEqual([
      'presses',
      'mills',
      'mills-unit-2',
      'fillers',
    ]);
    // Connectors to closed ports report their tags as bad, and those samples are recorded.
    await waitFor(async () => {
      const current = await (await fetch(`${base}/api/status`)).json();
      return current.samples.recorded >= 10 ? current : undefined;
    });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('unison_edge_samples_recorded_total');
    expect(child.exitCode).toBeNull();

    const stoppedAt = Date.now();
    child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
  });
});
