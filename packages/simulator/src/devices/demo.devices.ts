import { spawnSync } from 'node:child_process';
import { type PtyPair, startPtyPair } from './pty.pair.ts';
import { type SimulatedScanner, startSimulatedScanner } from './scanner.sim.ts';
import { type SimulatedPrinter, startZebraPrinterSerial, startZebraPrinterTcp } from './zebra.printer.ts';

const GS = '\x1d';

/** GS1 codes a goods-in desk sees: supplier lots (01 GTIN, 10 lot, 17 expiry) and unit serials (01, 21). */
export function demoScan(n: number): { code: string; aim: string; what: string } {
  const lots = [
    { gtin: '09501101530003', lot: 'RESIN', expiry: '270630' },
    { gtin: '04006381333931', lot: 'STEEL', expiry: '281231' },
    { gtin: '05012345678900', lot: 'CAPS', expiry: '270115' },
  ];
  const lot = lots[n % lots.length]!;
  const batch = `${lot.lot}-${String(2400 + n).padStart(4, '0')}`;
  if (n % 3 === 2) {
    const serial = `SN${String(100_000 + n)}`;
    return { code: `0108712345678906${'21'}${serial}`, aim: ']d2', what: `serial ${serial}` };
  }
  return { code: `01${lot.gtin}10${batch}${GS}17${lot.expiry}`, aim: ']C1', what: `lot ${batch}` };
}

/** Whether `socat` can be run; pseudo-terminal pairs need it. */
export function socatAvailable(socat = 'socat'): boolean {
  return spawnSync(socat, ['-V'], { stdio: 'ignore' }).status === 0;
}

export interface DemoDevicesOptions {
  /** Where the host end of the scanner's pseudo-terminal is linked; needs socat. */
  scannerPty?: string;
  /** A printer on a pseudo-terminal (host end linked here), or on raw TCP. */
  printer?: { pty: string } | { port: number; host?: string };
  scanEveryMs?: number;
  onScan?: (what: string) => void;
}

export interface DemoDevices {
  /** The printer's TCP port when it listens on TCP. */
  printerPort?: number;
  scans(): number;
  labelsPrinted(): number;
  stop(): Promise<void>;
}

/** A simulated scanner that scans a GS1 code now and then, and a simulated Zebra printer, for the demo. */
export async function startDemoDevices({
  scannerPty,
  printer: printerAt,
  scanEveryMs = 5000,
  onScan = () => {},
}: DemoDevicesOptions): Promise<DemoDevices> {
  const pairs: PtyPair[] = [];
  let scanner: SimulatedScanner | undefined;
  let printer: SimulatedPrinter | undefined;
  let timer: NodeJS.Timeout | undefined;
  let scans = 0;
  const stop = async () => {
    clearInterval(timer);
    scanner?.close();
    await printer?.stop();
    await Promise.all(pairs.map((pair) => pair.stop()));
  };
  try {
    if (printerAt && 'pty' in printerAt) {
      pairs.push(await startPtyPair(printerAt.pty, `${printerAt.pty}.device`));
      printer = startZebraPrinterSerial({ path: `${printerAt.pty}.device`, printMsPerLabel: 200 });
    } else if (printerAt) {
      printer = await startZebraPrinterTcp({ ...printerAt, printMsPerLabel: 200 });
    }
    if (scannerPty) {
      pairs.push(await startPtyPair(scannerPty, `${scannerPty}.device`));
      const connected = startSimulatedScanner({ path: `${scannerPty}.device` });
      scanner = connected;
      let writing = false;
      timer = setInterval(() => {
        // Nobody reading the other end fills the pty; skip scans rather than queue them without end.
        if (writing) return;
        writing = true;
        const next = demoScan(scans++);
        connected
          .scan(next.code, { aim: next.aim })
          .then(() => onScan(next.what))
          .catch(() => {})
          .finally(() => {
            writing = false;
          });
      }, scanEveryMs);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ...(printer?.port === undefined ? {} : { printerPort: printer.port }),
    scans: () => scans,
    labelsPrinted: () => printer?.model.printed().length ?? 0,
    stop,
  };
}
