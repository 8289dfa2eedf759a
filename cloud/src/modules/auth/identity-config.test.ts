import { describe, expect, it } from 'vitest';
import { loadCloudConfig } from '../../config.ts';

describe('identity configuration', () => {
  it('leaves the proxy header unset and the rollover to the default unless given', () => {
    const config = loadCloudConfig({});
    expect(config.trustedProxyHeader).toBeUndefined();
    expect(config.keyRolloverMs).toBeUndefined();
  });

  it('reads the proxy header and the rollover window', () => {
    const config = loadCloudConfig({
      CLOUD_TRUSTED_PROXY_HEADER: 'X-Forwarded-For',
      CLOUD_KEY_ROLLOVER_MINUTES: '60',
    });
    expect(config.trustedProxyHeader).toBe('x-forwarded-for');
    expect(config.keyRolloverMs).toBe(3_600_000);
  });

  it('refuses a rollover shorter than an access token lives and a header that is no header name', () => {
    expect(() => loadCloudConfig({ CLOUD_KEY_ROLLOVER_MINUTES: '5' })).toThrow(/CLOUD_KEY_ROLLOVER_MINUTES/);
    expect(() => loadCloudConfig({ CLOUD_TRUSTED_PROXY_HEADER: 'x forwarded: for' })).toThrow(
      /CLOUD_TRUSTED_PROXY_HEADER/,
    );
  });
});
