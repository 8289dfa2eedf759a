import { join } from 'node:path';
import type { Sample } from '@unison/contracts';
import { createModbusDevice, serveModbusRtu, startPtyPair } from '@unison/simulator';
import { tempDir, waitFor } from '@unison/testkit';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { modbusConnector } from './modbus.connector.ts';
import { modbusCrc } from './modbus.crc.ts';
import { interFrameDelayMs } from './modbus.rtu.ts';
import { modbusConfig } from './modbus.test-tags.ts';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function rtuLine(replyDelayMs = 0) {
  const dir = tempDir('modbus-rtu-');
  cleanups.push(dir.remove);
  const pair = await startPtyPair(join(dir.path, 'edge'), join(dir.path, 'device'));
  cleanups.push(pair.stop);
  const device = createModbusDevice({
    units: { 1: { holding: [11, 0, 0] }, 2: { holding: [22, 0, 0] } },
    unknownUnit: 'silent',
  });
  const slave = serveModbusRtu(device, { path: pair.b, replyDelayMs });
  cleanups.push(slave.stop);
  return { path: pair.a, device, slave };
}

async function startRtu(path: string, unitIds: number[], timeoutMs = 100) {
  const connector = modbusConnector(
    modbusConfig({
      type: 'modbus',
      id: 'line-1',
      transport: 'rtu',
      serial: { path, baudRate: 19_200, parity: 'even' },
      pollIntervalMs: 20,
      timeoutMs,
      unitBackoff: { initialDelayMs: 300, maxDelayMs: 300 },
      tags: unitIds.map((unitId) => ({
        machine: `cnc-${unitId}`,
        tag: 'count',
        unitId,
        table: 'holding' as const,
        address: 0,
        dataType: 'uint16' as const,
      })),
    }),
    { log },
  );
  const received: Sample[] = [];
  const stop = await connector.start((samples) => received.push(...samples));
  cleanups.push(stop);
  const latest = (machine: string) => received.findLast((sample) => sample.machine === machine);
  return { connector, received, latest };
}

describe('modbus RTU framing', () => {
  it('computes the CRC of the spec example and the inter-frame gap', () => {
    expect(modbusCrc(Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a])).toString(16)).toBe('cdc5');
    const line = { path: '/dev/null', dataBits: 8, stopBits: 1 } as const;
    expect(interFrameDelayMs({ ...line, baudRate: 9600, parity: 'even' })).toBeCloseTo(4.01, 2);
    expect(interFrameDelayMs({ ...line, baudRate: 9600, parity: 'none' })).toBeCloseTo(3.65, 2);
    expect(interFrameDelayMs({ ...line, baudRate: 115_200, parity: 'none' })).toBe(1.75);
  });
});

describe('modbus connector over an RTU line (socat pseudo-terminals)', () => {
  it('polls several units on one line, one request at a time', async () => {
    const { path, device, slave } = await rtuLine();
    const { connector, latest } = await startRtu(path, [1, 2]);
    await waitFor(() => (latest('cnc-1')?.value === 11 && latest('cnc-2')?.value === 22 ? true : undefined));
    expect(connector.status().state).toBe('connected');
    (device.units.get(2) as { holding: number[] }).holding[0] = 23;
    await waitFor(() => (latest('cnc-2')?.value === 23 ? true : undefined));
    expect(slave.frames.corrupt).toBe(0);
  });

  it('keeps the other units flowing while one unit on the line is dead', async () => {
    const { path, device } = await rtuLine();
    device.faults.silent.add(2);
    const { connector, latest } = await startRtu(path, [1, 2]);
    await waitFor(() => (latest('cnc-2')?.quality === 'bad' ? true : undefined), { what: 'dead unit bad' });
    for (let value = 100; value < 105; value++) {
      (device.units.get(1) as { holding: number[] }).holding[0] = value;
      await waitFor(() => (latest('cnc-1')?.value === value ? true : undefined), {
        timeoutMs: 1000,
        intervalMs: 10,
      });
    }
    expect(connector.status().units.find((unit) => unit.unitId === 2)).toMatchObject({
      state: 'backing-off',
      lastError: expect.stringMatching(/timed out/),
    });
    device.faults.silent.delete(2);
    await waitFor(() => (latest('cnc-2')?.value === 22 ? true : undefined), { what: 'unit 2 back' });
  });

  it('never takes a late answer for the next request: input is flushed after a timeout', async () => {
    // Answers arrive 150 ms after each request, after the 100 ms timeout.
    const { path, device, slave } = await rtuLine(150);
    (device.units.get(1) as { holding: number[] }).holding[0] = 1;
    (device.units.get(2) as { holding: number[] }).holding[0] = 2;
    const { received } = await startRtu(path, [1, 2]);
    await waitFor(() => (slave.frames.received >= 4 ? true : undefined), { what: 'several requests' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((sample) => sample.quality === 'bad' && sample.value === null)).toBe(true);
  });
});
