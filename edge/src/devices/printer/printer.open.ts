import type { PrinterConfig } from '@unison/config';
import type { Logger } from 'pino';
import type { PrinterTransport } from './printer.transport.ts';
import { serialTransport } from './serial.transport.ts';
import { tcpTransport } from './tcp.transport.ts';

/** The transport a printer's config names. */
export function openPrinterTransport(printer: PrinterConfig, log?: Logger): PrinterTransport {
  const { transport } = printer;
  if (transport.type === 'tcp') return tcpTransport({ host: transport.host, port: transport.port });
  return serialTransport({
    path: transport.path,
    line: transport.serial,
    reconnect: printer.reconnect,
    ...(log ? { log: log.child({ printer: printer.id }) } : {}),
  });
}
