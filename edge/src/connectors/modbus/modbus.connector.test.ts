import { createServer, type Socket } from 'node:net';
import type { ModbusConnectorInput } from '@unison/config';
import type { Sample } from '@unison/contracts';
import { createModbusDevice, type ModbusDevice, serveModbusTcp } from '@unison/simulator';
import { freePort, waitFor } from '@unison/testkit';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { modbusConnector } from './modbus.connector.ts';
import { modbusConfig } from './modbus.test-tags.ts';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function float32Words(value: number): number[] {
  const bytes = Buffer.alloc(4);
  bytes.writeFloatBE(value);
  return [bytes.readUInt16BE(0), bytes.readUInt16BE(2)];
}

async function serve(device: ModbusDevice, port = 0) {
  const server = await serveModbusTcp(device, { port });
  cleanups.push(server.stop);
  return server;
}

async function run(input: Omit<ModbusConnectorInput, 'type' | 'id' | 'host'>) {
  const connector = modbusConnector(
    modbusConfig({
      type: 'modbus',
      id: 'mills',
      host: '127.0.0.1',
      pollIntervalMs: 20,
      timeoutMs: 200,
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      unitBackoff: { initialDelayMs: 100, maxDelayMs: 200 },
      ...input,
    }),
    { log },
  );
  const received: Sample[] = [];
  const stop = await connector.start((samples) => received.push(...samples));
  cleanups.push(stop);
  const latest = (tag: string, machine = 'cnc-1') =>
    received.findLast((sample) => sample.tag === tag && sample.machine === machine);
  const until = (what: string, probe: () => boolean | undefined, timeoutMs = 5000) =>
    waitFor(() => (probe() ? true : undefined), { what, timeoutMs, intervalMs: 10 });
  return { connector, received, latest, until };
}

describe('modbus connector over TCP', () => {
  it('reads every table, coalesced into one request per table, and reports by exception', async () => {
    const device = createModbusDevice({
      units: {
        1: {
          holding: [1, 0x0001, 0x0002, 0, 0, 0x4f50, 0x3130],
          input: float32Words(21.5),
          coils: [false, true],
          discrete: [true],
        },
      },
    });
    const { port } = await serve(device);
    const { connector, received, latest, until } = await run({
      port,
      tags: [
        { machine: 'cnc-1', tag: 'state', table: 'holding', address: 0, dataType: 'uint16' },
        { machine: 'cnc-1', tag: 'good', table: 'holding', address: 1, dataType: 'uint32' },
        { machine: 'cnc-1', tag: 'program', table: 'holding', address: 5, dataType: 'string', length: 4 },
        { machine: 'cnc-1', tag: 'temperature', table: 'input', address: 0, dataType: 'float32' },
        { machine: 'cnc-1', tag: 'running', table: 'coil', address: 1, dataType: 'bool' },
        { machine: 'cnc-1', tag: 'door', table: 'discrete', address: 0, dataType: 'bool' },
      ],
    });
    await until('first values', () => received.length >= 6);
    expect(connector.status().state).toBe('connected');
    expect(
      Object.fromEntries(
        ['state', 'good', 'program', 'temperature', 'running', 'door'].map((t) => [t, latest(t)?.value]),
      ),
    ).toEqual({ state: 1, good: 65538, program: 'OP10', temperature: 21.5, running: true, door: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toHaveLength(6);
    // One request per table per poll: 11 items in 4 requests; tag by tag it would be 9 in 6.
    const served = device.served.get(1) ?? { requests: 0, items: 0 };
    expect(served.requests).toBeGreaterThanOrEqual(8);
    expect(served.items / served.requests).toBeGreaterThanOrEqual(2.75);
    (device.units.get(1) as { holding: number[] }).holding[0] = 2;
    await until('changed state', () => latest('state')?.value === 2);
    expect(received).toHaveLength(7);
  });

  it('falls back to tag-by-tag reads when a block is refused, and disables a tag the device refuses', async () => {
    const device = createModbusDevice({
      units: { 1: { holding: [10, 11, 12, 13, 14, 15], holes: { holding: [3] } } },
    });
    const { port } = await serve(device);
    const { connector, latest, until } = await run({
      port,
      tags: [
        { machine: 'cnc-1', tag: 'a', table: 'holding', address: 0, dataType: 'uint16' },
        { machine: 'cnc-1', tag: 'missing', table: 'holding', address: 3, dataType: 'uint16' },
        { machine: 'cnc-1', tag: 'b', table: 'holding', address: 5, dataType: 'uint16' },
      ],
    });
    await until('values around the hole', () => latest('a')?.value === 10 && latest('b')?.value === 15);
    expect(latest('missing')).toMatchObject({ value: null, quality: 'bad' });
    expect(connector.status().configErrors).toEqual([
      expect.objectContaining({
        unitId: 1,
        machine: 'cnc-1',
        tag: 'missing',
        address: 3,
        error: expect.stringMatching(/0x02/),
      }),
    ]);
    expect(connector.status().lastError).toMatch(/missing disabled/);
    (device.units.get(1) as { holding: number[] }).holding[5] = 99;
    await until('other tags keep flowing', () => latest('b')?.value === 99);
  });

  it('retries later on 0x06 (busy) without marking tags bad', async () => {
    const device = createModbusDevice({ units: { 1: { holding: [7] } } });
    device.faults.busy.set(1, 5);
    const { port } = await serve(device);
    const { received, latest, until } = await run({
      port,
      tags: [{ machine: 'cnc-1', tag: 'state', table: 'holding', address: 0, dataType: 'uint16' }],
    });
    await until('value after the device stopped being busy', () => latest('state')?.value === 7);
    expect(received.every((sample) => sample.quality === 'good')).toBe(true);
  });

  it('marks only the failed unit bad on 0x0B and backs it off while other units keep flowing', async () => {
    const device = createModbusDevice({ units: { 1: { holding: [1] }, 2: { holding: [2] } } });
    const { port } = await serve(device);
    device.faults.exception.set(2, 0x0b);
    const { connector, latest, until } = await run({
      port,
      tags: [
        { machine: 'cnc-1', tag: 'state', table: 'holding', address: 0, dataType: 'uint16', unitId: 1 },
        { machine: 'cnc-2', tag: 'state', table: 'holding', address: 0, dataType: 'uint16', unitId: 2 },
      ],
    });
    await until(
      'unit 1 good, unit 2 bad',
      () => latest('state')?.value === 1 && latest('state', 'cnc-2')?.quality === 'bad',
    );
    expect(connector.status().units).toEqual([
      { unitId: 1, state: 'polling' },
      { unitId: 2, state: 'backing-off', lastError: expect.stringMatching(/0x0b \(gateway target/) },
    ]);
    const requestsAtFault = device.served.get(1)?.requests ?? 0;
    (device.units.get(1) as { holding: number[] }).holding[0] = 5;
    await until('unit 1 still polled', () => latest('state')?.value === 5);
    expect(device.served.get(1)?.requests).toBeGreaterThan(requestsAtFault);
    device.faults.exception.delete(2);
    await until('unit 2 back', () => latest('state', 'cnc-2')?.value === 2);
  });

  it('keeps polling live units at their rate while another unit on the gateway never answers', async () => {
    const device = createModbusDevice({ units: { 1: { holding: [0] }, 3: { holding: [3] } } });
    device.faults.silent.add(3);
    const { port } = await serve(device);
    const { connector, latest, until } = await run({
      port,
      timeoutMs: 300,
      tags: [
        { machine: 'cnc-1', tag: 'count', table: 'holding', address: 0, dataType: 'uint16', unitId: 1 },
        { machine: 'cnc-2', tag: 'count', table: 'holding', address: 0, dataType: 'uint16', unitId: 3 },
      ],
    });
    await until('dead unit marked bad', () => latest('count', 'cnc-2')?.quality === 'bad');
    for (let value = 1; value <= 5; value++) {
      (device.units.get(1) as { holding: number[] }).holding[0] = value;
      const setAtMs = Date.now();
      await until(`count ${value}`, () => latest('count')?.value === value);
      // Well under one timeout of the dead unit: its requests never sit in unit 1's queue.
      expect(Date.now() - setAtMs).toBeLessThan(200);
    }
    expect(connector.status().units.find((unit) => unit.unitId === 3)?.lastError).toMatch(/timed out/);
    expect(connector.status().state).toBe('connected');
  });

  it('recreates the connection when a device accepts but never answers', async () => {
    const port = await freePort();
    const sockets = new Set<Socket>();
    let connections = 0;
    const silent = createServer((socket) => {
      connections += 1;
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const { connector, received, until } = await run({
      port,
      timeoutMs: 50,
      unitBackoff: { initialDelayMs: 10, maxDelayMs: 10 },
      tags: [{ machine: 'cnc-1', tag: 'state', table: 'holding', address: 0, dataType: 'uint16' }],
    });
    await until('bad after a timeout', () => received.length === 1);
    expect(received[0]).toMatchObject({ value: null, quality: 'bad' });
    await until('a new connection', () => connections >= 2);
    expect(connector.status().lastError).toMatch(/no answer|timed out/);
  });

  it('keeps retrying while the device is down at start', async () => {
    const port = await freePort();
    const { connector, received, latest, until } = await run({
      port,
      tags: [{ machine: 'cnc-1', tag: 'state', table: 'holding', address: 0, dataType: 'uint16' }],
    });
    await until('disconnected', () => connector.status().state === 'disconnected');
    expect(received).toEqual([expect.objectContaining({ quality: 'bad', value: null })]);
    await serve(createModbusDevice({ units: { 1: { holding: [7] } } }), port);
    await until('value once the device is up', () => latest('state')?.value === 7);
  });
});
