import { describe, expect, it } from 'vitest';
import { loadCloudConfig } from './config.ts';

describe('loadCloudConfig', () => {
  it('fills defaults and runs on PGlite without DATABASE_URL', () => {
    expect(loadCloudConfig({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: '.data/cloud',
      logLevel: 'info',
    });
    expect(loadCloudConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('reads every variable', () => {
    const config = loadCloudConfig({
      CLOUD_PORT: '0',
      CLOUD_HOST: '127.0.0.1',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unison',
      CLOUD_DATA_DIR: '/tmp/cloud',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({ port: 0, host: '127.0.0.1', dataDir: '/tmp/cloud', logLevel: 'debug' });
    expect(config.databaseUrl).toBe('postgresql://postgres@127.0.0.1:5432/unison');
  });

  it('names every invalid variable', () => {
    expect(() =>
      loadCloudConfig({ CLOUD_PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' }),
    ).toThrow(/CLOUD_PORT[\s\S]*DATABASE_URL[\s\S]*LOG_LEVEL/);
  });
});
