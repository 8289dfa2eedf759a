export type { Clock, DeviceEvent, EmitEvent } from './device.events.ts';
export { rasterizeMissingSymbologies } from './labels/label.fallback.ts';
export { previewLabelPng } from './labels/label.preview.ts';
export { bitmapToGfa, rasterizeSymbol, symbolOfField } from './labels/label.symbols.ts';
export {
  LabelRenderError,
  type LabelTemplate,
  type LabelVariables,
  renderLabel,
} from './labels/label.template.ts';
export { loadLabelTemplate, loadLabelTemplates } from './labels/label.templates.ts';
export { parseZplLabels, type ZplField, type ZplLabel } from './labels/zpl.fields.ts';
export {
  type PrinterView,
  type PrintQueue,
  type PrintQueueOptions,
  startPrintQueue,
} from './printer/print.queue.ts';
export type { PrintJob, PrintJobState } from './printer/print-jobs.repository.ts';
export { openPrinterTransport } from './printer/printer.open.ts';
export { type PrinterStatus, parseHostStatus, queryPrinterStatus } from './printer/printer.status.ts';
export { claimPrinter, type PrinterTransport } from './printer/printer.transport.ts';
export { serialTransport } from './printer/serial.transport.ts';
export { tcpTransport } from './printer/tcp.transport.ts';
export { routeScan, type StationState } from './scanner/scan.actions.ts';
export { decodeFrame } from './scanner/scan.decode.ts';
export {
  type PrintRequest as StationPrintRequest,
  type ScanFeedback,
  type Station,
  type StationOptions,
  type StationStatus,
  startStation,
} from './scanner/scanner.station.ts';
export { type SerialDevice, type SerialDeviceStatus, startSerialDevice } from './serial/serial.device.ts';
export { createFramer, type Frame } from './serial/serial.framer.ts';
export { openSerialPort, type SerialLink } from './serial/serial.port.ts';
