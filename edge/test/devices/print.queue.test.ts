import { connect } from 'node:net';
import { join } from 'node:path';
import { PrinterConfig } from '@unison/config';
import { type SimulatedPrinter, startZebraPrinterSerial, startZebraPrinterTcp } from '@unison/simulator';
import { tempDir, waitFor } from '@unison/testkit';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceEvent } from '../../src/devices/device.events.ts';
import { loadLabelTemplates } from '../../src/devices/labels/label.templates.ts';
import { type PrintQueue, startPrintQueue } from '../../src/devices/printer/print.queue.ts';
import { claimPrinter } from '../../src/devices/printer/printer.transport.ts';
import { ptyFixture } from './pty.fixture.ts';

const templates = loadLabelTemplates(join(import.meta.dirname, '../../../firmware-config/labels'));
const lotData = { gtin: '09501101530003', lot: 'L-7', station: 'goods-in' };
const timing = { statusTimeoutMs: 150, statusPollMs: 20, confirmTimeoutMs: 3000 };

let dir: ReturnType<typeof tempDir>;
let db: Database.Database;
let printer: SimulatedPrinter | undefined;
let queue: PrintQueue | undefined;
let events: DeviceEvent[];
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  dir = tempDir('unison-print-');
  db = new Database(join(dir.path, 'edge.db'));
  events = [];
});
afterEach(async () => {
  await queue?.stop();
  queue = undefined;
  await printer?.stop();
  printer = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  db.close();
  dir.remove();
});

async function tcpSetup(options: { printMsPerLabel?: number } = {}) {
  printer = await startZebraPrinterTcp(options);
  const config = PrinterConfig.parse({
    id: 'zebra',
    model: 'ZT411',
    transport: { type: 'tcp', host: '127.0.0.1', port: printer.port },
    ...timing,
  });
  queue = startPrintQueue({ db, printers: [config], templates, emitEvent: (e) => events.push(e) });
  return { printer, queue, config };
}
const jobState = (id: string, state: string) =>
  waitFor(() => (queue?.job(id)?.state === state ? queue.job(id) : undefined), {
    intervalMs: 10,
    what: `job ${state}`,
  });

describe('print queue with a simulated Zebra', () => {
  it('prints a job over TCP once the printer confirms it', async () => {
    const { printer, queue } = await tcpSetup();
    const job = queue.enqueue({
      printer: 'zebra',
      template: 'lot-label',
      variables: lotData,
      sourceEventId: 'ev-1',
    });
    expect(job.state).toBe('queued');
    await jobState(job.id, 'printed');
    expect(printer.model.printed()).toHaveLength(1);
    expect(printer.model.formats()[0]!.fields.map((f) => f.data)).toContain('(01)09501101530003(10)L-7');
    expect(events).toEqual([
      expect.objectContaining({
        type: 'label.printed',
        payload: expect.objectContaining({ jobId: job.id, sourceEventId: 'ev-1' }),
      }),
    ]);
  });

  it('prints over a serial pseudo-terminal', async () => {
    const pty = await ptyFixture();
    cleanups.push(() => pty.cleanup());
    printer = startZebraPrinterSerial({ path: pty.device });
    const config = PrinterConfig.parse({
      id: 'zebra',
      model: 'GK420d',
      transport: { type: 'serial', path: pty.host },
      ...timing,
    });
    queue = startPrintQueue({ db, printers: [config], templates });
    const job = queue.enqueue({ printer: 'zebra', template: 'lot-label', variables: lotData });
    await jobState(job.id, 'printed');
    expect(printer.model.printed()).toHaveLength(1);
  });

  it('holds a job when the head is opened mid-job and never prints it twice', async () => {
    const { printer, queue } = await tcpSetup({ printMsPerLabel: 100 });
    const job = queue.enqueue({
      printer: 'zebra',
      template: 'lot-label',
      variables: { ...lotData, copies: 3 },
    });
    await waitFor(() => (printer.model.formats().length === 1 ? true : undefined), { intervalMs: 5 });
    printer.model.set({ headOpen: true });
    const held = await jobState(job.id, 'held');
    expect(held!.lastError).toMatch(/head open/);
    const next = queue.enqueue({ printer: 'zebra', template: 'lot-label', variables: lotData });
    await new Promise((r) => setTimeout(r, 150));
    expect(queue.job(next.id)!.state).toBe('queued');
    printer.model.set({ headOpen: false });
    await jobState(next.id, 'printed');
    expect(printer.model.formats()).toHaveLength(2);
    expect(printer.model.printed()).toHaveLength(4);
    expect(queue.job(job.id)!.state).toBe('held');
    expect(queue.markPrinted(job.id).state).toBe('printed');
  });

  it('keeps the queue holding while the printer does not answer (status unknown)', async () => {
    const { printer, queue } = await tcpSetup();
    printer.model.set({ responsive: false });
    const job = queue.enqueue({ printer: 'zebra', template: 'lot-label', variables: lotData });
    await waitFor(() => {
      const [view] = queue.printers();
      return view && !view.status.known ? view : undefined;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(queue.job(job.id)!.state).toBe('queued');
    expect(printer.model.formats()).toHaveLength(0);
    printer.model.set({ responsive: true });
    await jobState(job.id, 'printed');
    expect(printer.model.printed()).toHaveLength(1);
  });

  it('holds a job when the printer stops answering after it was sent', async () => {
    const { printer, queue } = await tcpSetup({ printMsPerLabel: 300 });
    const job = queue.enqueue({ printer: 'zebra', template: 'lot-label', variables: lotData });
    await waitFor(() => (printer.model.formats().length === 1 ? true : undefined), { intervalMs: 5 });
    printer.model.set({ responsive: false });
    const held = await jobState(job.id, 'held');
    expect(held!.lastError).toMatch(/stopped answering/);
    printer.model.set({ responsive: true });
    await new Promise((r) => setTimeout(r, 400));
    expect(printer.model.formats()).toHaveLength(1);
  });

  it('waits while paused or out of paper and prints after', async () => {
    const { printer, queue } = await tcpSetup();
    printer.model.set({ paused: true, paperOut: true });
    const job = queue.enqueue({ printer: 'zebra', template: 'lot-label', variables: lotData });
    await new Promise((r) => setTimeout(r, 150));
    expect(queue.job(job.id)!.state).toBe('queued');
    expect(queue.printers()[0]!.status).toMatchObject({
      known: true,
      paused: true,
      paperOut: true,
      ready: false,
    });
    printer.model.set({ paused: false, paperOut: false });
    await jobState(job.id, 'printed');
  });

  it('turns a second client on port 9100 away and keeps exactly one owner on our side', async () => {
    const { printer, queue, config } = await tcpSetup();
    const first = queue.enqueue({ printer: 'zebra', template: 'lot-label', variables: lotData });
    await jobState(first.id, 'printed');
    const intruder = connect({ host: '127.0.0.1', port: printer.port! });
    await new Promise<void>((resolve) => intruder.once('close', () => resolve()).on('error', () => {}));
    expect(printer.refusedClients()).toBe(1);
    expect(() =>
      claimPrinter(`tcp://127.0.0.1:${config.transport.type === 'tcp' ? config.transport.port : 0}`),
    ).toThrow(/already has an owner/);
    const second = queue.enqueue({ printer: 'zebra', template: 'lot-label', variables: lotData });
    await jobState(second.id, 'printed');
    expect(printer.model.printed()).toHaveLength(2);
  });

  it('reprints by job id as a new job linked to the original', async () => {
    const { printer, queue } = await tcpSetup();
    const job = queue.enqueue({ printer: 'zebra', template: 'lot-label', variables: lotData });
    await jobState(job.id, 'printed');
    const again = queue.reprint(job.id);
    expect(again).toMatchObject({ reprintOf: job.id, zpl: job.zpl, state: 'queued' });
    await jobState(again.id, 'printed');
    expect(printer.model.printed()).toHaveLength(2);
  });

  it('holds, after a restart, a job that was at the printer unconfirmed', async () => {
    const { queue: first, printer } = await tcpSetup({ printMsPerLabel: 5000 });
    const job = first.enqueue({ printer: 'zebra', template: 'lot-label', variables: lotData });
    await jobState(job.id, 'sent');
    await first.stop();
    const config = PrinterConfig.parse({
      id: 'zebra',
      model: 'ZT411',
      transport: { type: 'tcp', host: '127.0.0.1', port: printer.port },
      ...timing,
    });
    queue = startPrintQueue({ db, printers: [config], templates });
    expect(queue.job(job.id)).toMatchObject({
      state: 'held',
      lastError: expect.stringMatching(/before the printer confirmed/),
    });
  });
});
