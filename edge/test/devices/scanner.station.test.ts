import { ScannerProfile, type StationConfig } from '@unison/config';
import { type SimulatedScanner, startSimulatedScanner } from '@unison/simulator';
import { waitFor } from '@unison/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceEvent } from '../../src/devices/device.events.ts';
import {
  type Station,
  type StationOptions,
  startStation,
} from '../../src/devices/scanner/scanner.station.ts';
import { ptyFixture } from './pty.fixture.ts';

const GS = '\x1d';
const GTIN = '09501101530003';
const profile = ScannerProfile.parse({
  id: 'test-cr-aim',
  vendor: 'test',
  description: 'CR suffix, AIM ids',
  framing: { suffix: '\r', interByteTimeoutMs: 40, maxLengthBytes: 256 },
  connectCommands: [{ description: 'hello', send: '\x16M\rPING!' }],
});
const station: StationConfig = {
  id: 'goods-in',
  name: 'Goods in',
  scanner: { profile: profile.id, path: '', reconnect: { initialDelayMs: 20, maxDelayMs: 100 } },
  printer: 'zebra',
  routes: [
    { action: 'start-work-order', when: { kind: 'plain', ais: [], pattern: '^WO-\\d+$' } },
    { action: 'finish-work-order', when: { kind: 'plain', ais: [], pattern: '^END-(WO-\\d+)$' } },
    { action: 'consume-lot', when: { kind: 'gs1', ais: ['01', '10'], pattern: '^0109501101530003' } },
    { action: 'receive-lot', when: { kind: 'gs1', ais: ['01', '10'] }, printLabel: 'lot-label' },
    { action: 'register-serial', when: { kind: 'gs1', ais: ['01', '21'] } },
  ],
};

let pty: Awaited<ReturnType<typeof ptyFixture>>;
let scanner: SimulatedScanner;
let running: Station | undefined;
let events: DeviceEvent[];
let prints: unknown[];

function start(options: Partial<StationOptions> = {}) {
  running = startStation({
    station: { ...station, scanner: { ...station.scanner, path: pty.host } },
    profile,
    emitEvent: (event) => events.push(event),
    print: (request) => prints.push(request),
    ...options,
  });
  return running;
}
const opened = (s: Station, opens = 1) =>
  waitFor(
    () => (s.status().scanner.opens >= opens && s.status().scanner.state === 'open' ? true : undefined),
    {
      intervalMs: 10,
      what: 'scanner open',
    },
  );
const eventCount = (n: number) =>
  waitFor(() => (events.length >= n ? events : undefined), { intervalMs: 10, what: `${n} events` });

beforeEach(async () => {
  pty = await ptyFixture();
  scanner = startSimulatedScanner({ path: pty.device });
  events = [];
  prints = [];
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  scanner.close();
  await pty.cleanup();
});

describe('scanner station on a pseudo-terminal', () => {
  it('receives a GS1 lot, emits one event, queues its label and sends the connect commands', async () => {
    const s = start();
    await opened(s);
    await scanner.scan(`010400638133393110LOT-42${GS}17261231`, { aim: ']C1' });
    const [event] = await eventCount(1);
    expect(event).toMatchObject({
      type: 'lot.received',
      source: 'goods-in',
      payload: { lot: 'LOT-42', expiry: '261231' },
    });
    expect(prints).toEqual([
      expect.objectContaining({ printer: 'zebra', template: 'lot-label', sourceEventId: event!.id }),
    ]);
    await waitFor(() => (scanner.received().toString('latin1').includes('PING!') ? true : undefined));
  });

  it('runs a work order: start, consume a lot (genealogy link), finish', async () => {
    const s = start();
    await opened(s);
    await scanner.scan('WO-1001', { aim: ']C0' });
    await scanner.scan(`01${GTIN}10RESIN-7`, { aim: ']C1' });
    await scanner.scan('END-WO-1001', { aim: ']C0' });
    const all = await eventCount(3);
    expect(all.map((e) => e.type)).toEqual(['workorder.started', 'genealogy.linked', 'workorder.finished']);
    expect(all[1]!.payload).toMatchObject({ workOrder: 'WO-1001', lot: 'RESIN-7', gtin: GTIN });
    expect(s.status().activeWorkOrder).toBeUndefined();
  });

  it('never merges two codes sent in one burst without a suffix', async () => {
    const s = start();
    await opened(s);
    await scanner.writeRaw(Buffer.from(']C0WO-1]C0WO-2', 'latin1'));
    await eventCount(1);
    await scanner.scan('WO-3', { aim: ']C0' });
    const all = await eventCount(2);
    expect(all[0]).toMatchObject({ type: 'scan.rejected', payload: { text: ']C0WO-1]C0WO-2' } });
    expect(all[0]!.payload.reason).toMatch(/silence before the suffix/);
    expect(all[1]).toMatchObject({ type: 'workorder.started', payload: { workOrder: 'WO-3' } });
  });

  it('rejects two codes in one suffixed frame at the second AIM identifier', async () => {
    const s = start();
    await opened(s);
    await scanner.writeRaw(Buffer.from(']C0WO-1]C0WO-2\r', 'latin1'));
    const [event] = await eventCount(1);
    expect(event!.payload).toMatchObject({ reason: expect.stringMatching(/two codes/), position: 7 });
  });

  it('flushes a partial code after silence and does not glue it to the next', async () => {
    const s = start();
    await opened(s);
    await scanner.writeRaw(Buffer.from(']C0WO-', 'latin1'));
    await eventCount(1);
    await scanner.scan('WO-77', { aim: ']C0' });
    const all = await eventCount(2);
    expect(all[0]).toMatchObject({ type: 'scan.rejected', payload: { text: ']C0WO-', position: 6 } });
    expect(all[1]).toMatchObject({ type: 'workorder.started', payload: { workOrder: 'WO-77' } });
  });

  it('rejects line noise from a wrong baud rate and still reads the next good scan', async () => {
    const s = start();
    await opened(s);
    await scanner.writeRaw(Buffer.from([0xf8, 0x80, 0x78, 0xe6, 0x06, 0x9e, 0xfe, 0x0d]));
    await scanner.scan('WO-5', { aim: ']C0' });
    const all = await eventCount(2);
    expect(all[0]).toMatchObject({ type: 'scan.rejected', payload: { hex: 'f88078e6069efe' } });
    expect(all[0]!.payload.reason).toMatch(/control byte 0x06/);
    expect(all[1]!.type).toBe('workorder.started');
    expect(s.status()).toMatchObject({ accepted: 1, rejected: 1 });
  });

  it('keeps bytes above 0x7F as latin1 and rejects them in GS1 data with their position', async () => {
    const s = start();
    await opened(s);
    await scanner.writeRaw(
      Buffer.concat([Buffer.from(`]C101${GTIN}10AB`, 'latin1'), Buffer.from([0xe9, 0x0d])]),
    );
    const [event] = await eventCount(1);
    expect(event).toMatchObject({
      type: 'scan.rejected',
      payload: { text: `]C101${GTIN}10AB\u00e9`, position: 23 },
    });
  });

  it.each([
    ['a missing separator after a variable-length AI', `01${GTIN}10LOT1721123110`, undefined],
    ['a wrong check digit', '0109501101530004' + `10LOT`, 18],
    ['an invalid date', `01${GTIN}1726134010LOT`, undefined],
  ])('passes the GS1 parser reason and position through for %s', async (_name, data, position) => {
    const s = start();
    await opened(s);
    await scanner.scan(data, { aim: ']C1' });
    const [event] = await eventCount(1);
    expect(event!.type).toBe('scan.rejected');
    expect(event!.payload.reason).toEqual(expect.any(String));
    expect(event!.payload.position).toEqual(expect.any(Number));
    if (position !== undefined) expect(event!.payload.position).toBe(position);
  });

  it('reconnects after the scanner is unplugged and reads the scans after it', async () => {
    const s = start();
    await opened(s);
    await scanner.scan('WO-1', { aim: ']C0' });
    await eventCount(1);
    scanner.close();
    await pty.unplug();
    await waitFor(() => (s.status().scanner.state !== 'open' ? true : undefined), { intervalMs: 10 });
    await pty.replug();
    scanner = startSimulatedScanner({ path: pty.device });
    await opened(s, 2);
    await scanner.scan('END-WO-1', { aim: ']C0' });
    const all = await eventCount(2);
    expect(all[1]).toMatchObject({ type: 'workorder.finished', payload: { workOrder: 'WO-1' } });
  });

  it('reports a port another owner has locked, retries, and opens it once free', async () => {
    const { openSerialPort } = await import('../../src/devices/serial/serial.port.ts');
    const holder = await openSerialPort(pty.host, profile.serial);
    const s = start();
    await waitFor(() => (s.status().scanner.lockFailures >= 2 ? true : undefined), { intervalMs: 10 });
    expect(s.status().scanner).toMatchObject({ state: 'locked', lastError: expect.stringMatching(/lock/i) });
    await holder.close();
    await opened(s);
  });
});
