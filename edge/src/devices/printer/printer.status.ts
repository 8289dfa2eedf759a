import type { PrinterTransport } from './printer.transport.ts';

export type PrinterStatus =
  | {
      known: true;
      paperOut: boolean;
      paused: boolean;
      headOpen: boolean;
      ribbonOut: boolean;
      bufferFull: boolean;
      formatsInBuffer: number;
      labelsRemaining: number;
      /** Free to take a job: not paused, paper and ribbon present, head closed, buffer not full. */
      ready: boolean;
    }
  | { known: false; reason: string };

export const HOST_STATUS_REQUEST = Buffer.from('~HS', 'latin1');
const STX = 0x02;
const ETX = 0x03;

/** ~HS answers with three STX … ETX strings. */
export function isHostStatusComplete(answer: Buffer): boolean {
  let etx = 0;
  for (const byte of answer) if (byte === ETX) etx++;
  return etx >= 3;
}

/** Reads a ~HS answer (ZPL II host status): string 1 has paper out, pause, formats; string 2 head, ribbon, labels. */
export function parseHostStatus(answer: Buffer): PrinterStatus {
  const strings: string[][] = [];
  let start = -1;
  answer.forEach((byte, i) => {
    if (byte === STX) start = i + 1;
    else if (byte === ETX && start >= 0) {
      strings.push(answer.subarray(start, i).toString('latin1').split(','));
      start = -1;
    }
  });
  const [one, two] = strings;
  if (!one || !two || one.length < 12 || two.length < 11) {
    return { known: false, reason: `malformed ~HS answer ${JSON.stringify(answer.toString('latin1'))}` };
  }
  const flag = (value: string | undefined) => value === '1';
  const count = (value: string | undefined) => Number.parseInt(value ?? '', 10) || 0;
  const status = {
    paperOut: flag(one[1]),
    paused: flag(one[2]),
    formatsInBuffer: count(one[4]),
    bufferFull: flag(one[5]),
    headOpen: flag(two[2]),
    ribbonOut: flag(two[3]),
    labelsRemaining: count(two[8]),
  };
  const ready =
    !status.paperOut && !status.paused && !status.headOpen && !status.ribbonOut && !status.bufferFull;
  return { known: true, ...status, ready };
}

/** Asks the printer for ~HS; no (complete) answer within `timeoutMs` is status unknown, never "ready". */
export async function queryPrinterStatus(
  transport: PrinterTransport,
  timeoutMs: number,
): Promise<PrinterStatus> {
  try {
    const answer = await transport.request(HOST_STATUS_REQUEST, isHostStatusComplete, timeoutMs);
    if (!answer) return { known: false, reason: `no ~HS answer within ${timeoutMs} ms` };
    return parseHostStatus(answer);
  } catch (error) {
    return { known: false, reason: (error as Error).message };
  }
}
