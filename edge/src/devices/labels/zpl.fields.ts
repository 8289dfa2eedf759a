/** One field of a ZPL label, as a printer would see it after ^FH decoding. */
export interface ZplField {
  /** Index of the field's first command (^FO/^FT or the first after the previous ^FS) and just past its ^FS. */
  start: number;
  end: number;
  x: number;
  y: number;
  kind: 'text' | 'barcode' | 'graphic';
  /** The barcode command: 'BC', 'BX', 'BQ' …; the graphic command 'GF'. */
  command?: string;
  params: string[];
  /** Module width / bar height set by the last ^BY. */
  moduleWidth: number;
  barHeight: number;
  fontHeight: number;
  data: string;
}

export interface ZplLabel {
  fields: ZplField[];
  /** ^PQ quantity (1 when absent). */
  quantity: number;
}

interface Command {
  name: string;
  args: string;
  index: number;
  end: number;
}

/** Splits ZPL into commands; ^FD data runs to the next caret, as on the printer. */
export function zplCommands(zpl: string): Command[] {
  const commands: Command[] = [];
  let i = zpl.search(/[\^~]/);
  while (i >= 0 && i < zpl.length) {
    const next = zpl.slice(i + 1).search(/[\^~]/);
    const end = next < 0 ? zpl.length : i + 1 + next;
    commands.push({
      name: zpl.slice(i + 1, i + 3).toUpperCase(),
      args: zpl.slice(i + 3, end),
      index: i,
      end,
    });
    i = end;
  }
  return commands;
}

export function decodeFieldHex(data: string, indicator: string): string {
  let out = '';
  for (let i = 0; i < data.length; i++) {
    const hex = data.slice(i + 1, i + 3);
    if (data[i] === indicator && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 2;
    } else out += data[i];
  }
  return out;
}

/** Reads the labels (^XA … ^XZ) of a ZPL text: each field with its position, kind and decoded data. */
export function parseZplLabels(zpl: string): ZplLabel[] {
  const labels: ZplLabel[] = [];
  let label: ZplLabel | undefined;
  let field: Partial<ZplField> & { start?: number; hex?: string } = {};
  let moduleWidth = 2;
  let barHeight = 10;
  let fontHeight = 30;
  for (const command of zplCommands(zpl)) {
    const params = command.args.split(',');
    const int = (i: number, fallback: number) => {
      const n = Number.parseInt(params[i] ?? '', 10);
      return Number.isFinite(n) ? n : fallback;
    };
    if (command.name === 'XA') {
      label = { fields: [], quantity: 1 };
      field = {};
      continue;
    }
    if (!label) continue;
    field.start ??= command.index;
    switch (command.name) {
      case 'XZ':
        labels.push(label);
        label = undefined;
        break;
      case 'FO':
      case 'FT':
        field.start = command.index;
        field.x = int(0, 0);
        field.y = int(1, 0);
        break;
      case 'BY':
        moduleWidth = int(0, moduleWidth);
        barHeight = int(2, barHeight);
        break;
      case 'CF':
        fontHeight = int(1, fontHeight);
        break;
      case 'FH':
        field.hex = command.args[0] ?? '_';
        break;
      case 'PQ':
        label.quantity = Math.max(1, int(0, 1));
        break;
      case 'FD':
        field.data = field.hex ? decodeFieldHex(command.args, field.hex) : command.args;
        break;
      case 'GF':
        field.kind = 'graphic';
        field.command = 'GF';
        field.params = params;
        break;
      case 'FS':
        label.fields.push({
          start: field.start ?? command.index,
          end: command.end,
          x: field.x ?? 0,
          y: field.y ?? 0,
          kind: field.kind ?? 'text',
          params: field.params ?? [],
          moduleWidth,
          barHeight,
          fontHeight: field.fontHeight ?? fontHeight,
          data: field.data ?? '',
          ...(field.command ? { command: field.command } : {}),
        });
        field = {};
        break;
      default:
        if (command.name[0] === 'A') field.fontHeight = int(1, fontHeight);
        else if (command.name[0] === 'B' && command.name !== 'BY') {
          field.kind = 'barcode';
          field.command = command.name;
          field.params = params;
        }
    }
  }
  return labels;
}
