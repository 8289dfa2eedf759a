import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createZebraModel, type SimulatedPrinter, startZebraPrinterTcp } from '../src/index.ts';

const HS = Buffer.from('~HS');
const statusStrings = (answer: Buffer | undefined) =>
  (answer?.toString('latin1').split('\x03').slice(0, -1) ?? []).map((s) =>
    s.slice(s.indexOf('\x02') + 1).split(','),
  );

describe('simulated Zebra printer', () => {
  let printer: SimulatedPrinter | undefined;
  afterEach(async () => {
    await printer?.stop();
    printer = undefined;
  });

  it('counts labels and decodes ^FH fields', () => {
    const model = createZebraModel();
    model.receive(Buffer.from('^XA^FO10,20^A0N,30,30^FH_^FDLot A_5EB^FS^FO5,5^BCN,80^FDX1^FS^PQ2^XZ'));
    expect(model.formats()).toHaveLength(1);
    expect(model.formats()[0]!.fields).toEqual([
      { x: 10, y: 20, command: 'A0', data: 'Lot A^B' },
      { x: 5, y: 5, command: 'BC', data: 'X1' },
    ]);
    expect(model.printed()).toHaveLength(2);
  });

  it('answers ~HS with three strings and its faults, and holds labels while the head is open', () => {
    const model = createZebraModel();
    model.set({ headOpen: true, paused: true });
    model.receive(Buffer.from('^XA^FDx^FS^PQ3^XZ'));
    const [one, two, three] = statusStrings(model.receive(HS));
    expect(one).toHaveLength(12);
    expect(one![2]).toBe('1'); // paused
    expect(one![4]).toBe('001'); // formats in buffer
    expect(two![2]).toBe('1'); // head up
    expect(two![8]).toBe('00000003'); // labels remaining
    expect(three).toHaveLength(2);
    model.set({ headOpen: false, paused: false });
    expect(model.printed()).toHaveLength(3);
  });

  it('handles a format split across writes and ~HS inside it, in order', () => {
    const model = createZebraModel();
    expect(model.receive(Buffer.from('^XA^FO1,1^FDpart'))).toBeUndefined();
    expect(statusStrings(model.receive(Buffer.from('~H')))).toEqual([]);
    const answer = model.receive(Buffer.from('S^FS^XZ'));
    expect(statusStrings(answer)[0]![4]).toBe('000');
    expect(model.formats()[0]!.fields[0]!.data).toBe('part');
  });

  it('stays silent when unresponsive', () => {
    const model = createZebraModel();
    model.set({ responsive: false });
    expect(model.receive(HS)).toBeUndefined();
  });

  it('serves one TCP client at a time and turns a second away', async () => {
    printer = await startZebraPrinterTcp();
    const first = connect({ port: printer.port!, host: '127.0.0.1' });
    await new Promise((r) => first.once('connect', r));
    const second = connect({ port: printer.port!, host: '127.0.0.1' });
    second.on('error', () => {});
    await new Promise((r) => second.once('close', r));
    expect(printer.refusedClients()).toBe(1);
    const answer = new Promise<Buffer>((r) => first.once('data', r));
    first.write(HS);
    expect(statusStrings(await answer)).toHaveLength(3);
    first.destroy();
  });
});
