import { constants, openSync } from 'node:fs';
import tty from 'node:tty';

/** One end of a pseudo-terminal, as a device on the far side of a serial cable sees it. */
export interface PtyEnd {
  write(bytes: Buffer): Promise<void>;
  onData(listener: (bytes: Buffer) => void): void;
  close(): void;
}

/** Opens a pty path for reading and writing without making it our controlling terminal. */
export function openPtyEnd(path: string): PtyEnd {
  const flags = constants.O_RDWR | constants.O_NOCTTY;
  const input = new tty.ReadStream(openSync(path, flags));
  const output = new tty.WriteStream(openSync(path, flags));
  // The far end going away shows up as EIO; the owner learns it from its own side.
  input.on('error', () => {});
  output.on('error', () => {});
  return {
    write: (bytes) =>
      new Promise((resolve, reject) => output.write(bytes, (error) => (error ? reject(error) : resolve()))),
    onData: (listener) => input.on('data', listener),
    close() {
      input.destroy();
      output.destroy();
    },
  };
}
