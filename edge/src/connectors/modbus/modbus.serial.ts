import type { ModbusSerialLineConfig } from '@unison/config';
import { SerialPort } from 'serialport';

/** The serial line under Modbus RTU, as the few calls the transport makes. */
export interface SerialLine {
  write(bytes: Buffer): Promise<void>;
  onData(listener: (bytes: Buffer) => void): void;
  onClose(listener: (error: Error) => void): void;
  /** Discards bytes received but not yet read, in the OS and in the driver. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export type OpenSerialLine = (line: ModbusSerialLineConfig) => Promise<SerialLine>;

export const openSerialLine: OpenSerialLine = (line) =>
  new Promise((resolve, reject) => {
    const port = new SerialPort({ ...line, autoOpen: false });
    port.open((error) => {
      if (error) return reject(error);
      resolve({
        write: (bytes) =>
          new Promise((done, fail) => {
            port.write(bytes);
            port.drain((drainError) => (drainError ? fail(drainError) : done()));
          }),
        onData: (listener) => port.on('data', listener),
        onClose: (listener) => {
          port.on('close', (closeError?: Error | null) =>
            listener(closeError ?? new Error(`${line.path} closed`)),
          );
          port.on('error', listener);
        },
        flush: () => new Promise((done) => port.flush(() => done())),
        close: () =>
          new Promise((done) => {
            if (!port.isOpen) return done();
            port.close(() => done());
          }),
      });
    });
  });
