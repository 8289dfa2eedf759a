import { createServer, type Socket } from 'node:net';
import type { ModbusConnectorConfig } from '@unison/config';
import type { Sample } from '@unison/contracts';
import { freePort, waitFor } from '@unison/testkit';
import { ServerTCP } from 'modbus-serial';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { modbusConnector } from './modbus.connector.ts';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A Modbus TCP device: holding 0 = state, 1-2 = good (uint32), input 0-1 = temperature (float32), coil 0. */
async function startDevice(
  port: number,
  registers: { holding: number[]; input: number[]; coils: boolean[] },
) {
  const server = new ServerTCP(
    {
      getHoldingRegister: (addr: number) => registers.holding[addr] ?? 0,
      getInputRegister: (addr: number) => registers.input[addr] ?? 0,
      getCoil: (addr: number) => registers.coils[addr] ?? false,
    },
    { host: '127.0.0.1', port, unitID: 1 },
  );
  await new Promise<void>((resolve, reject) => {
    server.on('initialized', () => resolve());
    server.on('serverError', reject);
  });
  let closed = false;
  const stop = () =>
    closed
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          closed = true;
          for (const socket of server.socks.keys()) socket.destroy();
          server.close(() => resolve());
        });
  cleanups.push(stop);
  return { stop };
}

function float32Words(value: number): number[] {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  return [view.getUint16(0), view.getUint16(2)];
}

const config = (port: number): ModbusConnectorConfig => ({
  type: 'modbus',
  id: 'mills',
  host: '127.0.0.1',
  port,
  unitId: 1,
  pollIntervalMs: 20,
  timeoutMs: 300,
  reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
  tags: [
    {
      machine: 'cnc-1',
      tag: 'state',
      table: 'holding',
      address: 0,
      dataType: 'uint16',
      wordOrder: 'ABCD',
      scale: 1,
      offset: 0,
    },
    {
      machine: 'cnc-1',
      tag: 'good',
      table: 'holding',
      address: 1,
      dataType: 'uint32',
      wordOrder: 'ABCD',
      scale: 1,
      offset: 0,
    },
    {
      machine: 'cnc-1',
      tag: 'temperature',
      table: 'input',
      address: 0,
      dataType: 'float32',
      wordOrder: 'ABCD',
      scale: 1,
      offset: 0,
    },
    {
      machine: 'cnc-1',
      tag: 'running',
      table: 'coil',
      address: 0,
      dataType: 'bool',
      wordOrder: 'ABCD',
      scale: 1,
      offset: 0,
    },
  ],
});

describe('modbus connector', () => {
  it('reads, reports by exception, goes bad without the device and recovers', async () => {
    const port = await freePort();
    const registers = { holding: [1, 0x0001, 0x0002], input: float32Words(21.5), coils: [true] };
    let device = await startDevice(port, registers);
    const connector = modbusConnector(config(port), { log });
    const received: Sample[] = [];
    const stop = await connector.start((samples) => received.push(...samples));
    cleanups.push(stop);
    const latest = (tag: string) => received.findLast((s) => s.tag === tag);

    await waitFor(() => (received.length >= 4 ? true : undefined), { what: 'first values' });
    expect(connector.status().state).toBe('connected');
    expect(latest('state')).toMatchObject({ machine: 'cnc-1', value: 1, quality: 'good' });
    expect(latest('good')?.value).toBe(65538);
    expect(latest('temperature')?.value).toBe(21.5);
    expect(latest('running')?.value).toBe(true);

    // Unchanged values are not emitted again, however many polls pass.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toHaveLength(4);
    registers.holding[0] = 2;
    await waitFor(() => (latest('state')?.value === 2 ? true : undefined), { what: 'changed state' });
    expect(received).toHaveLength(5);

    await device.stop();
    await waitFor(() => (latest('state')?.quality === 'bad' ? true : undefined), { what: 'bad quality' });
    expect(['temperature', 'good', 'running'].map((tag) => latest(tag)?.quality)).toEqual([
      'bad',
      'bad',
      'bad',
    ]);
    expect(connector.status().state).not.toBe('connected');
    expect(connector.status().lastError).toBeTruthy();

    registers.holding[0] = 3;
    device = await startDevice(port, registers);
    await waitFor(() => (latest('state')?.value === 3 ? true : undefined), { what: 'values after restart' });
    await waitFor(() => (latest('running')?.quality === 'good' ? true : undefined));
    expect(connector.status().state).toBe('connected');

    await stop();
    expect(connector.status().state).toBe('stopped');
  });

  it('keeps retrying while the device is down at start', async () => {
    const port = await freePort();
    const connector = modbusConnector(config(port), { log });
    const received: Sample[] = [];
    const stop = await connector.start((samples) => received.push(...samples));
    cleanups.push(stop);
    await waitFor(() => (connector.status().state === 'disconnected' ? true : undefined));
    expect(received.filter((s) => s.quality === 'bad')).toHaveLength(4);
    await startDevice(port, { holding: [7], input: [], coils: [] });
    await waitFor(() => (received.findLast((s) => s.tag === 'state')?.value === 7 ? true : undefined));
  });

  it('times out on a device that accepts but never answers', async () => {
    const port = await freePort();
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const connector = modbusConnector({ ...config(port), timeoutMs: 100 }, { log });
    const received: Sample[] = [];
    const stop = await connector.start((samples) => received.push(...samples));
    cleanups.push(stop);
    await waitFor(() => (received.length === 4 ? true : undefined), { what: 'bad tags after a timeout' });
    expect(received.every((s) => s.quality === 'bad')).toBe(true);
    expect(connector.status().lastError).toMatch(/timed out/i);
  });
});
