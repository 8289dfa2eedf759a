import { openPtyEnd } from './pty.end.ts';

export interface SimulatedScannerOptions {
  /** The pty end the scanner is "wired" to. */
  path: string;
  /** Appended to every code. */
  suffix?: string;
  /** Delay between chunks of one code, to exercise inter-byte timeouts. */
  interChunkDelayMs?: number;
  /** Bytes per write; a code is split into chunks of this size. */
  chunkBytes?: number;
}

export interface SimulatedScanner {
  /** Sends a code (latin1) followed by the suffix; `aim` is the symbology identifier, e.g. ']C1'. */
  scan(code: string, options?: { aim?: string; suffix?: string }): Promise<void>;
  /** Sends bytes exactly as given: bursts, partial codes, line noise. */
  writeRaw(bytes: Buffer): Promise<void>;
  /** Everything the host sent to the scanner (configuration commands, beeps). */
  received(): Buffer;
  close(): void;
}

/** A serial barcode scanner on a pseudo-terminal, with configurable framing and timing. */
export function startSimulatedScanner({
  path,
  suffix = '\r',
  interChunkDelayMs = 0,
  chunkBytes = 4096,
}: SimulatedScannerOptions): SimulatedScanner {
  const end = openPtyEnd(path);
  const received: Buffer[] = [];
  end.onData((bytes) => received.push(bytes));
  const writeRaw = async (bytes: Buffer) => {
    for (let i = 0; i < bytes.length; i += chunkBytes) {
      if (i > 0 && interChunkDelayMs > 0) await new Promise((r) => setTimeout(r, interChunkDelayMs));
      await end.write(bytes.subarray(i, i + chunkBytes));
    }
  };
  return {
    scan: (code, options = {}) =>
      writeRaw(Buffer.from(`${options.aim ?? ''}${code}${options.suffix ?? suffix}`, 'latin1')),
    writeRaw,
    received: () => Buffer.concat(received),
    close: () => end.close(),
  };
}
