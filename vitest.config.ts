import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'edge', 'cloud', 'firmware-config', 'e2e'],
  },
});
