import { z } from 'zod';
import { durationMs, num, port, ReconnectPolicy, tagRef } from './schema.common.ts';

export const ModbusDataType = z.enum(['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32']);
export const ModbusTable = z.enum(['coil', 'discrete', 'holding', 'input']);

export const ModbusTag = z
  .strictObject({
    ...tagRef,
    table: ModbusTable,
    address: num(z.number().int().min(0).max(65535)),
    dataType: ModbusDataType,
    /** ABCD: high word first (Modicon convention); CDAB: low word first. */
    wordOrder: z.enum(['ABCD', 'CDAB']).default('ABCD'),
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
  });

export const ModbusConnector = z.strictObject({
  type: z.literal('modbus'),
  id: z.string().min(1),
  host: z.string().min(1),
  port: port.default(502),
  unitId: num(z.number().int().min(0).max(255)).default(1),
  pollIntervalMs: durationMs.default(1000),
  timeoutMs: durationMs.default(2000),
  reconnect: ReconnectPolicy.default({ initialDelayMs: 500, maxDelayMs: 30_000 }),
  tags: z.array(ModbusTag).min(1),
});

export type ModbusConnectorConfig = z.infer<typeof ModbusConnector>;
export type ModbusTagConfig = z.infer<typeof ModbusTag>;
