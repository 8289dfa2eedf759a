export {
  type DemoDevices,
  type DemoDevicesOptions,
  demoScan,
  socatAvailable,
  startDemoDevices,
} from './demo.devices.ts';
export { openPtyEnd, type PtyEnd } from './pty.end.ts';
export { type PtyPair, startPtyPair } from './pty.pair.ts';
export { type SimulatedScanner, type SimulatedScannerOptions, startSimulatedScanner } from './scanner.sim.ts';
export {
  createZebraModel,
  type PrintedField,
  type ReceivedFormat,
  type ZebraFaults,
  type ZebraModel,
} from './zebra.model.ts';
export {
  type SimulatedPrinter,
  type SimulatedPrinterOptions,
  startZebraPrinterSerial,
  startZebraPrinterTcp,
} from './zebra.printer.ts';
