// Scan-to-label latency over pseudo-terminals and GS1 parse throughput. Run: pnpm bench:devices [scans]
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startPtyPair, startSimulatedScanner, startZebraPrinterSerial } from '@unison/simulator';
import { tempDir, waitFor } from '@unison/testkit';
import {
  type DeviceEvent,
  loadLabelTemplates,
  openPrinterTransport,
  type PrintQueueOptions,
  startPrintQueue,
  startStation,
} from '../edge/src/devices/index.ts';
import { measureGS1ParseThroughput } from '../packages/barcodes/bench/gs1-parse.bench.ts';
import {
  loadDeviceConfig,
  PrinterConfig,
  ScannerProfile,
  StationConfig,
} from '../packages/config/src/index.ts';

const root = join(import.meta.dirname, '..');
const config = (dir: string) => join(root, 'firmware-config', dir);
const scans = Number(process.argv[2] ?? 1000);
// better-sqlite3 is the edge's dependency; load it from there.
const Database = createRequire(join(root, 'edge/package.json'))('better-sqlite3') as new (
  file: string,
) => PrintQueueOptions['db'];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (ms: number) => Math.round(ms * 100) / 100;

async function measureScanToLabel() {
  const dir = tempDir('unison-bench-devices-');
  const scannerPair = await startPtyPair(join(dir.path, 'scanner-host'), join(dir.path, 'scanner-device'));
  const printerPair = await startPtyPair(join(dir.path, 'printer-host'), join(dir.path, 'printer-device'));
  const printer = startZebraPrinterSerial({ path: printerPair.b });
  const scanner = startSimulatedScanner({ path: scannerPair.b });
  const db = new Database(join(dir.path, 'edge.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');

  const printerConfig = {
    ...loadDeviceConfig(PrinterConfig, config('printers/zebra-gk420-serial.yaml'), {
      PRINTER_SERIAL_PATH: printerPair.a,
    }),
    statusPollMs: 10,
  };
  const station = loadDeviceConfig(StationConfig, config('stations/goods-in.yaml'), {
    GOODS_IN_SCANNER: scannerPair.a,
  });
  const profile = loadDeviceConfig(ScannerProfile, config(`scanners/${station.scanner.profile}.yaml`));

  const scannedAt = new Map<string, number>();
  const writtenAt = new Map<string, number>();
  const events: DeviceEvent[] = [];
  let lastScanStart = 0;
  const queue = startPrintQueue({
    db,
    printers: [{ ...printerConfig, id: station.printer! }],
    templates: loadLabelTemplates(config('labels')),
    openTransport: (p) => {
      const transport = openPrinterTransport(p);
      return {
        ...transport,
        address: transport.address,
        async write(bytes) {
          await transport.write(bytes);
          writtenAt.set(bytes.toString('latin1'), performance.now());
        },
      };
    },
  });
  const running = startStation({
    station,
    profile,
    emitEvent: (event) => events.push(event),
    print: (request) => {
      const job = queue.enqueue(request);
      scannedAt.set(job.zpl, lastScanStart);
    },
  });
  await waitFor(() => (running.status().scanner.state === 'open' ? true : undefined), { intervalMs: 5 });

  const latencies: number[] = [];
  for (let i = 0; i < scans; i++) {
    const lot = `LOT${String(i).padStart(6, '0')}`;
    lastScanStart = performance.now();
    await scanner.scan(`010950110153000310${lot}`, { aim: ']C1' });
    const zpl = await waitFor(() => [...writtenAt.keys()].find((text) => text.includes(lot)), {
      intervalMs: 1,
      timeoutMs: 10_000,
      what: `label for ${lot}`,
    });
    latencies.push(writtenAt.get(zpl)! - scannedAt.get(zpl)!);
    writtenAt.delete(zpl);
    await waitFor(() => (queue.jobs({ state: 'sent' }).length === 0 ? true : undefined), { intervalMs: 1 });
  }
  const printed = queue.jobs({ state: 'printed' }).length;

  await running.stop();
  await queue.stop();
  await printer.stop();
  scanner.close();
  await scannerPair.stop();
  await printerPair.stop();
  db.close();
  dir.remove();

  const rejected = events.filter((e) => e.type === 'scan.rejected').length;
  if (rejected > 0 || printed !== scans)
    throw new Error(`${rejected} scans rejected, ${printed}/${scans} labels printed`);
  latencies.sort((a, b) => a - b);
  return { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) };
}

const latency = await measureScanToLabel();
const gs1 = measureGS1ParseThroughput({ codes: 200_000 });
const results = {
  scan_to_label_p50_ms: latency.p50,
  scan_to_label_p99_ms: latency.p99,
  gs1_parse_codes_per_s: gs1.codes_per_s,
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/devices.json'), `${JSON.stringify(results, null, 2)}\n`);
console.table([
  {
    measure: `scan-to-label p50 (${scans} scans, ptys)`,
    value: `${results.scan_to_label_p50_ms} ms`,
    target: '',
  },
  {
    measure: `scan-to-label p99 (${scans} scans, ptys)`,
    value: `${results.scan_to_label_p99_ms} ms`,
    target: '< 50 ms',
  },
  {
    measure: 'GS1 parse throughput',
    value: `${results.gs1_parse_codes_per_s} codes/s`,
    target: '>= 200000 codes/s',
  },
]);
