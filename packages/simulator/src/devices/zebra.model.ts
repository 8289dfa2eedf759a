/** A field of a printed label, with ^FH escapes decoded. */
export interface PrintedField {
  x: number;
  y: number;
  /** The command that drew it: 'A0' for text, 'BC', 'BX', 'BQ' for barcodes, 'GF' for a graphic. */
  command: string;
  data: string;
}

export interface ReceivedFormat {
  fields: PrintedField[];
  quantity: number;
  zpl: string;
}

export interface ZebraFaults {
  headOpen: boolean;
  paperOut: boolean;
  paused: boolean;
  ribbonOut: boolean;
  /** When false the printer ignores ~HS, like one that is off or hung. */
  responsive: boolean;
}

export interface ZebraModel {
  /** Feeds bytes from the host; returns the bytes to answer with (for ~HS). */
  receive(bytes: Buffer): Buffer | undefined;
  set(faults: Partial<ZebraFaults>): void;
  faults(): ZebraFaults;
  formats(): ReceivedFormat[];
  /** Labels that came out of the printer, one entry per copy. */
  printed(): ReceivedFormat[];
  labelsRemaining(): number;
  stop(): void;
}

const STX = '\x02';
const ETX = '\x03';

/**
 * Enough of a Zebra ZPL II printer: formats (^XA…^XZ) are buffered and printed one label per
 * `printMsPerLabel` while the printer is ready; ~HS answers at once, as tilde commands do.
 */
export function createZebraModel({ printMsPerLabel = 0, labelLengthDots = 406 } = {}): ZebraModel {
  let pending = '';
  const received: ReceivedFormat[] = [];
  const printed: ReceivedFormat[] = [];
  const queue: { format: ReceivedFormat; remaining: number }[] = [];
  const state: ZebraFaults = {
    headOpen: false,
    paperOut: false,
    paused: false,
    ribbonOut: false,
    responsive: true,
  };
  let timer: NodeJS.Timeout | undefined;

  const ready = () => !state.headOpen && !state.paperOut && !state.paused && !state.ribbonOut;
  const printOne = () => {
    const head = queue[0];
    if (!head) return;
    printed.push(head.format);
    if (--head.remaining === 0) queue.shift();
  };
  const pump = () => {
    if (timer || !ready() || queue.length === 0) return;
    if (printMsPerLabel === 0) {
      while (queue.length > 0) printOne();
      return;
    }
    timer = setTimeout(() => {
      timer = undefined;
      if (ready()) printOne();
      pump();
    }, printMsPerLabel);
  };

  const hostStatus = () => {
    const flag = (on: boolean) => (on ? '1' : '0');
    const remaining = queue.reduce((sum, item) => sum + item.remaining, 0);
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    const one = `030,${flag(state.paperOut)},${flag(state.paused)},${pad(labelLengthDots, 4)},${pad(queue.length, 3)},0,0,0,000,0,0,0`;
    const two = `001,0,${flag(state.headOpen)},${flag(state.ribbonOut)},0,2,6,0,${pad(remaining, 8)},1,000`;
    return Buffer.from(`${STX}${one}${ETX}\r\n${STX}${two}${ETX}\r\n${STX}1234,0${ETX}\r\n`, 'latin1');
  };

  return {
    receive(bytes) {
      pending += bytes.toString('latin1');
      const answers: Buffer[] = [];
      // Tilde commands act on arrival, even inside an unfinished format; formats are taken in order.
      const tildes = (text: string) =>
        text.replace(/~(HS|JA)/gi, (_all, command: string) => {
          if (command.toUpperCase() === 'HS' && state.responsive) answers.push(hostStatus());
          if (command.toUpperCase() === 'JA') queue.splice(0);
          return '';
        });
      for (;;) {
        const start = pending.indexOf('^XA');
        const end = start < 0 ? -1 : pending.indexOf('^XZ', start);
        if (start < 0 || end < 0) {
          pending = tildes(pending);
          if (start < 0) pending = pending.slice(-3); // a split ^XA or ~HS may follow
          break;
        }
        tildes(pending.slice(0, start));
        const format = parseFormat(tildes(pending.slice(start, end + 3)));
        pending = pending.slice(end + 3);
        received.push(format);
        queue.push({ format, remaining: format.quantity });
        pump();
      }
      pump();
      return answers.length > 0 ? Buffer.concat(answers) : undefined;
    },
    set(faults) {
      Object.assign(state, faults);
      pump();
    },
    faults: () => ({ ...state }),
    formats: () => [...received],
    printed: () => [...printed],
    labelsRemaining: () => queue.reduce((sum, item) => sum + item.remaining, 0),
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

function parseFormat(zpl: string): ReceivedFormat {
  const fields: PrintedField[] = [];
  let quantity = 1;
  let field: { x: number; y: number; command: string; hex?: string } = { x: 0, y: 0, command: 'A0' };
  for (const match of zpl.matchAll(/\^([A-Z0-9@]{2})([^^]*)/gi)) {
    const name = match[1]!.toUpperCase();
    const args = match[2] ?? '';
    const params = args.split(',');
    if (name === 'FO' || name === 'FT') {
      field.x = Number(params[0]) || 0;
      field.y = Number(params[1]) || 0;
    } else if (name === 'FH') field.hex = args[0] ?? '_';
    else if (name === 'PQ') quantity = Math.max(1, Number.parseInt(params[0] ?? '1', 10) || 1);
    else if (name === 'FD')
      fields.push({ x: field.x, y: field.y, command: field.command, data: decodeHex(args, field.hex) });
    else if (name === 'GF') fields.push({ x: field.x, y: field.y, command: 'GF', data: args });
    else if (name === 'FS') field = { x: 0, y: 0, command: 'A0' };
    else if (/^(A.|B[0-9A-Z])$/.test(name) && name !== 'BY') field.command = name;
  }
  return { fields, quantity, zpl };
}

function decodeHex(data: string, indicator?: string): string {
  if (!indicator) return data;
  return data.replace(
    new RegExp(`${indicator.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}([0-9A-Fa-f]{2})`, 'g'),
    (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)),
  );
}
