import { z } from 'zod';
import { durationMs, num, port, ReconnectPolicy, tagRef } from './schema.common.ts';

export const ModbusDataType = z.enum([
  'bool',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
  'string',
]);
export const ModbusTable = z.enum(['coil', 'discrete', 'holding', 'input']);
/**
 * Byte order of a multi-register value, bytes named big-endian A (most significant) first:
 * ABCD big-endian (Modicon), BADC bytes swapped in each word, CDAB words swapped, DCBA little-endian.
 * A 16-bit value reads AB or, with BADC/DCBA, BA. A string reads its characters A, B, C… or B, A, D, C….
 */
export const ModbusByteOrder = z.enum(['ABCD', 'BADC', 'CDAB', 'DCBA']);
export const ModbusParity = z.enum(['none', 'even', 'odd']);

const choice = <T extends number>(...values: [T, ...T[]]) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.literal(values));

const unitId = num(z.number().int().min(0).max(255));

export const ModbusTag = z
  .strictObject({
    ...tagRef,
    /** Defaults to the connector's unitId; tags of several units may share one connection. */
    unitId: unitId.optional(),
    table: ModbusTable,
    address: num(z.number().int().min(0).max(65535)),
    dataType: ModbusDataType,
    /** Characters of a `string` tag (two per register); required for strings only. */
    length: num(z.number().int().min(1).max(250)).optional(),
    wordOrder: ModbusByteOrder.default('ABCD'),
    scale: num(z.number().finite()).default(1),
    offset: num(z.number().finite()).default(0),
  })
  .superRefine((tag, ctx) => {
    const bitTable = tag.table === 'coil' || tag.table === 'discrete';
    if (bitTable !== (tag.dataType === 'bool')) {
      ctx.addIssue({
        code: 'custom',
        path: ['dataType'],
        message: bitTable ? `${tag.table} tables hold bool only` : `bool needs a coil or discrete table`,
      });
    }
    if ((tag.dataType === 'string') !== (tag.length !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['length'],
        message: tag.dataType === 'string' ? 'a string tag needs a length' : 'length is for string tags only',
      });
    }
  });

export const ModbusSerialLine = z.strictObject({
  /** Device path, e.g. /dev/ttyUSB0. */
  path: z.string().min(1),
  baudRate: num(z.number().int().min(300).max(921_600)).default(9600),
  dataBits: choice(7, 8).default(8),
  parity: ModbusParity.default('even'),
  stopBits: choice(1, 2).default(1),
});

export const ModbusCoalescing = z.strictObject({
  /** false reads every tag on its own (for diagnosis and comparison). */
  enabled: z.boolean().default(true),
  /** Unused registers (bits) a block may span between two tags rather than start a new request. */
  maxGapRegisters: num(z.number().int().min(0).max(124)).default(16),
  maxGapBits: num(z.number().int().min(0).max(1999)).default(256),
  /** Per request; the protocol allows 125 registers and 2000 bits, some devices fewer. */
  maxRegisters: num(z.number().int().min(1).max(125)).default(125),
  maxBits: num(z.number().int().min(1).max(2000)).default(2000),
});

export const ModbusConnector = z
  .strictObject({
    type: z.literal('modbus'),
    id: z.string().min(1),
    /** tcp (when omitted): Modbus TCP to host:port, a device or a gateway; rtu: a serial line. */
    transport: z.enum(['tcp', 'rtu']).optional(),
    host: z.string().min(1).optional(),
    port: port.default(502),
    serial: ModbusSerialLine.optional(),
    /** Silence between RTU frames; defaults to 3.5 character times (1.75 ms above 19200 baud). */
    interFrameDelayMs: num(z.number().min(0).max(1000)).optional(),
    unitId: unitId.default(1),
    pollIntervalMs: durationMs.default(1000),
    /** Per request. */
    timeoutMs: durationMs.default(2000),
    reconnect: ReconnectPolicy.default({ initialDelayMs: 500, maxDelayMs: 30_000 }),
    /** Pause for a unit that does not answer or whose gateway path failed (0x0A/0x0B); 1 s doubling to 60 s when omitted. */
    unitBackoff: ReconnectPolicy.optional(),
    /** Block reads; the defaults above when omitted. */
    coalescing: ModbusCoalescing.optional(),
    tags: z.array(ModbusTag).min(1),
  })
  .superRefine((connector, ctx) => {
    if (connector.transport !== 'rtu' && connector.host === undefined) {
      ctx.addIssue({ code: 'custom', path: ['host'], message: 'Modbus TCP needs a host' });
    }
    if (connector.transport === 'rtu' && connector.serial === undefined) {
      ctx.addIssue({ code: 'custom', path: ['serial'], message: 'Modbus RTU needs serial: { path, … }' });
    }
  });

export type ModbusConnectorConfig = z.infer<typeof ModbusConnector>;
/** A connector config as written by hand or in a test: defaults may be left out. */
export type ModbusConnectorInput = z.input<typeof ModbusConnector>;
export type ModbusTagConfig = z.infer<typeof ModbusTag>;
export type ModbusByteOrder = z.infer<typeof ModbusByteOrder>;
export type ModbusCoalescingConfig = z.infer<typeof ModbusCoalescing>;
export type ModbusSerialLineConfig = z.infer<typeof ModbusSerialLine>;
