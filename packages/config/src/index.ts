export * from './load.ts';
export * from './plant.schema.ts';
