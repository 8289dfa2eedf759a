export * from './api.ts';
export * from './changes.ts';
export * from './events.ts';
export * from './sample.ts';
export * from './sync.ts';
