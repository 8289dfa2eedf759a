import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@unison/edge',
    // OPC UA servers and process starts take a few seconds on a cold machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
