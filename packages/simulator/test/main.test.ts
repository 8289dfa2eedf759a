import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir, waitFor } from '@unison/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { closeModbusClient, connectModbusClient } from './modbus.client.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runCli(simEnv: Record<string, string>): Run {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SIM_')));
  const child = spawn(process.execPath, [MAIN], {
    env: { ...env, ...simEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

describe('pnpm sim (src/main.ts)', () => {
  const pki = tempDir('unison-sim-cli-');
  const running: ChildProcess[] = [];

  afterAll(() => {
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
    pki.remove();
  });

  it('starts on free ports, prints its endpoints, and stops cleanly on SIGINT', async () => {
    const run = runCli({
      SIM_OPCUA_PORT: '0',
      SIM_MODBUS_PORT: '0',
      SIM_MQTT_URL: 'off',
      SIM_TICK_MS: '50',
      SIM_OPCUA_PKI_DIR: pki.path,
    });
    running.push(run.child);
    await waitFor(() => (run.output().includes('ready') ? true : undefined), {
      what: 'the simulator to print ready',
      timeoutMs: 20_000,
    });
    expect(run.output()).toMatch(/OPC UA endpoint: opc\.tcp:\/\/127\.0\.0\.1:\d+/);
    expect(run.output()).toContain('MQTT off');

    const modbusPort = Number(run.output().match(/Modbus TCP endpoint: 127\.0\.0\.1:(\d+)/)?.[1]);
    const client = await connectModbusClient('127.0.0.1', modbusPort);
    client.setID(2);
    expect((await client.readHoldingRegisters(0, 6)).data).toHaveLength(6);
    await closeModbusClient(client);

    const signalledAt = Date.now();
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(5000);
    expect(run.output()).toContain('stopped');
  }, 30_000);

  it('refuses a bad value with a one-line message and exit code 2', async () => {
    const run = runCli({ SIM_OPCUA_PORT: 'abc' });
    running.push(run.child);
    expect(await run.exited).toEqual({ code: 2, signal: null });
    const lines = run.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/SIM_OPCUA_PORT="abc" must be a port number/);
  });

  it('names every bad variable', async () => {
    const run = runCli({ SIM_TICK_MS: '-5', SIM_MQTT_URL: 'http://x', SIM_MQTT_PREFIX: 'a/b' });
    running.push(run.child);
    expect((await run.exited).code).toBe(2);
    expect(run.output()).toMatch(/SIM_TICK_MS=.*SIM_MQTT_URL=.*SIM_MQTT_PREFIX=/);
  });
});
