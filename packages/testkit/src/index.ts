export * from './files.ts';
export * from './net.ts';
export * from './postgres.ts';
