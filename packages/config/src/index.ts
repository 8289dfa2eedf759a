export * from './devices.schema.ts';
export * from './load.ts';
export * from './plant.schema.ts';
