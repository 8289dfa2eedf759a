import type { SerialLine } from '@unison/config';
import { SerialPort } from 'serialport';

/** An open serial port, reduced to what the devices need. Bytes stay Buffers; nothing decodes them. */
export interface SerialLink {
  readonly path: string;
  write(bytes: Buffer): Promise<void>;
  onData(listener: (bytes: Buffer) => void): void;
  /** Called once when the port goes away (unplugged, closed); `error` is set when it was not our close. */
  onClose(listener: (error?: Error) => void): void;
  close(): Promise<void>;
}

export type OpenSerial = (path: string, line: SerialLine) => Promise<SerialLink>;

/** Opens `path` with an exclusive lock, so a second process (or session) cannot share the device. */
export const openSerialPort: OpenSerial = (path, line) =>
  new Promise((resolve, reject) => {
    const port = new SerialPort({
      path,
      baudRate: line.baudRate,
      dataBits: line.dataBits,
      parity: line.parity,
      stopBits: line.stopBits,
      lock: true,
      autoOpen: false,
    });
    port.open((error) => (error ? reject(error) : resolve(serialLink(port, path))));
  });

function serialLink(port: SerialPort, path: string): SerialLink {
  let closing = false;
  const closeListeners: ((error?: Error) => void)[] = [];
  let closed = false;
  const notifyClose = (error?: Error) => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners)
      listener(closing ? undefined : (error ?? new Error('port closed')));
  };
  port.on('close', (error?: Error | null) => notifyClose(error ?? undefined));
  port.on('error', (error: Error) => notifyClose(error));
  return {
    path,
    write: (bytes) =>
      new Promise((resolve, reject) => {
        port.write(bytes, (error) =>
          error ? reject(error) : port.drain((e) => (e ? reject(e) : resolve())),
        );
      }),
    onData: (listener) => port.on('data', listener),
    onClose: (listener) => closeListeners.push(listener),
    close: () =>
      new Promise((resolve) => {
        closing = true;
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
