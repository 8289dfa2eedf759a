import {
  ModbusConnector,
  type ModbusConnectorConfig,
  type ModbusConnectorInput,
  type ModbusTagConfig,
} from '@unison/config';

/** A tag with the schema's defaults, for tests. */
export const modbusTag = (over: Partial<ModbusTagConfig>): ModbusTagConfig => ({
  machine: 'cnc-1',
  tag: 't',
  table: 'holding',
  address: 0,
  dataType: 'uint16',
  wordOrder: 'ABCD',
  scale: 1,
  offset: 0,
  ...over,
});

/** The registers that hold `bytes` (most significant first) in the given byte order. */
export function wordsInOrder(bytes: Buffer, order: ModbusTagConfig['wordOrder']): number[] {
  const copy = Buffer.from(bytes);
  if (order === 'BADC' || order === 'DCBA') copy.swap16();
  const words = Array.from({ length: copy.length / 2 }, (_, i) => copy.readUInt16BE(i * 2));
  return order === 'CDAB' || order === 'DCBA' ? words.reverse() : words;
}

/** A connector config with the schema's defaults filled in, as the edge would load it. */
export const modbusConfig = (input: ModbusConnectorInput): ModbusConnectorConfig =>
  ModbusConnector.parse(input);
