export * from './devices.schema.ts';
export * from './load.ts';
export * from './modbus.schema.ts';
export * from './mqtt.schema.ts';
export * from './opcua.schema.ts';
export * from './plant.schema.ts';
export { ReconnectPolicy } from './schema.common.ts';
