import type { SerialLine } from '@unison/config';
import type { Logger } from 'pino';
import type { BackoffOptions } from '../../lib/backoff.ts';
import { startSerialDevice } from '../serial/serial.device.ts';
import type { OpenSerial } from '../serial/serial.port.ts';
import {
  answerCollector,
  claimPrinter,
  NotConnectedError,
  type PrinterTransport,
} from './printer.transport.ts';

export interface SerialTransportOptions {
  path: string;
  line: SerialLine;
  reconnect?: BackoffOptions;
  open?: OpenSerial;
  log?: Logger;
}

/** A printer on a serial port, kept open (locked) and reopened after an unplug. */
export function serialTransport({
  path,
  line,
  reconnect,
  open,
  log,
}: SerialTransportOptions): PrinterTransport {
  const address = `serial:${path}`;
  const release = claimPrinter(address);
  const answers = answerCollector();
  const device = startSerialDevice({
    path,
    line,
    onData: (bytes) => answers.onData(bytes),
    ...(reconnect ? { reconnect } : {}),
    ...(open ? { open } : {}),
    ...(log ? { log } : {}),
  });
  const send = async (bytes: Buffer) => {
    if (device.status().state !== 'open')
      throw new NotConnectedError(`${address} is ${device.status().state}`);
    await device.write(bytes);
  };
  return {
    address,
    write: (bytes) => answers.serialise(() => send(bytes)),
    request: (bytes, complete, timeoutMs) =>
      answers.serialise(() => answers.collect(() => send(bytes), complete, timeoutMs)),
    async close() {
      await device.stop();
      release();
    },
  };
}
