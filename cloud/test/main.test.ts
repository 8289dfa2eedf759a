import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort, tempDir, waitFor } from '@unison/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, '..', 'src', 'main.ts');

describe('pnpm cloud (main.ts)', () => {
  const dataDir = tempDir('unison-cloud-main-');
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    dataDir.remove();
  });

  it('starts on PGlite, answers /health and exits cleanly on SIGINT within 5 s', async () => {
    const port = await freePort();
    const { DATABASE_URL: _ignored, ...env } = process.env;
    child = spawn(process.execPath, [MAIN], {
      env: {
        ...env,
        CLOUD_PORT: String(port),
        CLOUD_HOST: '127.0.0.1',
        CLOUD_DATA_DIR: dataDir.path,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const exited = once(child, 'exit');

    const health = await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        return response.ok ? response.json() : undefined;
      },
      // PGlite's first start takes seconds, and more on a busy machine.
      { timeoutMs: 50_000, what: `cloud on port ${port}` },
    );
    expect(health).toEqual({ status: 'ok' });
    expect(output).toMatch(/migration 0001_tenancy\.sql applied/);

    const stoppingAt = Date.now();
    child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(Date.now() - stoppingAt).toBeLessThan(5_000);
  }, 60_000);
});
