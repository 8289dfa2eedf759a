import { z } from 'zod';
import { loadConfigFile } from './load.ts';
import { num } from './schema.common.ts';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and dashes');
/** Bytes written as a YAML string (`"\r"`, `"\x16M\r"`): every char must be one latin1 byte. */
const latin1Bytes = z
  .string()
  .refine(
    (s) => [...s].every((c) => c.charCodeAt(0) <= 0xff),
    'only characters U+0000..U+00FF (one byte each)',
  );

export const SerialLine = z.strictObject({
  baudRate: num(z.number().int().min(300).max(921_600)).default(9600),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
});

export const Framing = z.strictObject({
  /** Bytes that end a code; empty means frames end only by silence or length. */
  suffix: latin1Bytes.default('\r'),
  /** Silence that ends a frame; a frame ended this way when a suffix is expected is rejected. */
  interByteTimeoutMs: num(z.number().int().min(5).max(5000)).default(50),
  maxLengthBytes: num(z.number().int().min(8).max(65_536)).default(4096),
});

export const DeviceCommand = z.strictObject({
  description: z.string().min(1),
  send: latin1Bytes.min(1),
});

export const ScannerProfile = z.strictObject({
  id,
  vendor: z.string().min(1),
  description: z.string().min(1),
  serial: SerialLine.default({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 }),
  framing: Framing.default({ suffix: '\r', interByteTimeoutMs: 50, maxLengthBytes: 4096 }),
  /** The scanner transmits an ISO/IEC 15424 symbology identifier (`]C1`, `]d2` …) before each code. */
  aimIds: z.boolean().default(true),
  /** Sent once after every (re)connect, for scanners that accept host commands. */
  connectCommands: z.array(DeviceCommand).default([]),
  feedback: z.strictObject({ goodRead: latin1Bytes.optional(), badRead: latin1Bytes.optional() }).default({}),
});

export const ReconnectBackoff = z.strictObject({
  initialDelayMs: num(z.number().int().min(10).max(60_000)).default(250),
  maxDelayMs: num(z.number().int().min(10).max(600_000)).default(10_000),
});

export const SerialTransport = z.strictObject({
  type: z.literal('serial'),
  /** A device path; prefer `/dev/serial/by-id/…`, which survives re-enumeration. */
  path: z.string().min(1),
  serial: SerialLine.default({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 }),
});

export const TcpTransport = z.strictObject({
  type: z.literal('tcp'),
  host: z.string().min(1),
  port: num(z.number().int().min(1).max(65_535)).default(9100),
});

export const Symbology = z.enum(['code128', 'gs1-128', 'datamatrix', 'gs1datamatrix', 'qrcode', 'gs1qrcode']);

export const PrinterConfig = z.strictObject({
  id,
  model: z.string().min(1),
  language: z.literal('zpl').default('zpl'),
  dpi: z.union([z.literal(203), z.literal(300), z.literal(600)]).default(203),
  transport: z.discriminatedUnion('type', [SerialTransport, TcpTransport]),
  /** Symbologies the printer draws itself; others are sent as a ^GFA graphic. */
  nativeSymbologies: z
    .array(Symbology)
    .default(['code128', 'gs1-128', 'datamatrix', 'gs1datamatrix', 'qrcode']),
  statusTimeoutMs: num(z.number().int().min(20).max(60_000)).default(1000),
  statusPollMs: num(z.number().int().min(10).max(60_000)).default(500),
  /** How long after sending a job the printer has to report it done before the job is held. */
  confirmTimeoutMs: num(z.number().int().min(50).max(600_000)).default(30_000),
  maxAttempts: num(z.number().int().min(1).max(100)).default(5),
  reconnect: ReconnectBackoff.default({ initialDelayMs: 250, maxDelayMs: 10_000 }),
});

export const LabelVariable = z.strictObject({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/),
  description: z.string().optional(),
  required: z.boolean().default(true),
  /** Used when the variable is not given (only for optional variables). */
  default: z.string().optional(),
});

export const LabelTemplateMeta = z
  .strictObject({
    id,
    description: z.string().min(1),
    /** The ZPL file, relative to the metadata file. */
    zpl: z.string().regex(/\.zpl$/, 'must name a .zpl file'),
    widthDots: num(z.number().int().min(8).max(10_000)),
    heightDots: num(z.number().int().min(8).max(10_000)),
    dpi: z.union([z.literal(203), z.literal(300), z.literal(600)]).default(203),
    variables: z.array(LabelVariable).min(1),
  })
  .superRefine((meta, ctx) => {
    meta.variables.forEach((v, i) => {
      if (v.required && v.default !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['variables', i, 'default'],
          message: 'a required variable has no default',
        });
      }
    });
  });

export const ScanAction = z.enum([
  'receive-lot',
  'consume-lot',
  'start-work-order',
  'finish-work-order',
  'register-serial',
]);

export const ScanRoute = z.strictObject({
  action: ScanAction,
  /** Which parsed content the route takes; the first matching route wins. */
  when: z.strictObject({
    kind: z.enum(['gs1', 'plain', 'any']).default('any'),
    /** GS1 AIs that must all be present, e.g. ['01', '10']. */
    ais: z.array(z.string().regex(/^\d{2,4}$/)).default([]),
    /** Regular expression the text (after the AIM id) must match. */
    pattern: z
      .string()
      .refine((p) => {
        try {
          new RegExp(p);
          return true;
        } catch {
          return false;
        }
      }, 'not a valid regular expression')
      .optional(),
  }),
  /** Print this label template with the scan's data after the action succeeds. */
  printLabel: id.optional(),
});

export const StationConfig = z.strictObject({
  id,
  name: z.string().min(1),
  machine: z.string().optional(),
  scanner: z.strictObject({
    profile: id,
    path: z.string().min(1),
    reconnect: ReconnectBackoff.default({ initialDelayMs: 250, maxDelayMs: 10_000 }),
  }),
  printer: id.optional(),
  routes: z.array(ScanRoute).min(1),
});

export type SerialLine = z.infer<typeof SerialLine>;
export type Framing = z.infer<typeof Framing>;
export type ScannerProfile = z.infer<typeof ScannerProfile>;
export type PrinterConfig = z.infer<typeof PrinterConfig>;
export type PrinterTransport = PrinterConfig['transport'];
export type Symbology = z.infer<typeof Symbology>;
export type LabelTemplateMeta = z.infer<typeof LabelTemplateMeta>;
export type ScanAction = z.infer<typeof ScanAction>;
export type ScanRoute = z.infer<typeof ScanRoute>;
export type StationConfig = z.infer<typeof StationConfig>;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads one device YAML file (scanner, printer, station, label metadata) and validates it with `schema`. */
export function loadDeviceConfig<S extends z.ZodType>(schema: S, file: string, env: Env = {}): z.infer<S> {
  return loadConfigFile(schema, file, env);
}
