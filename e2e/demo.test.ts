import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { socatAvailable } from '@unison/simulator';
import { tempDir, waitFor } from '@unison/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('pnpm demo', () => {
  const dataDir = tempDir('unison-demo-');
  const output: string[] = [];
  let exit: Promise<{ code: number | null; afterMs: number }> | undefined;
  const demo = spawn(process.execPath, [join(root, 'scripts', 'demo.ts')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      CLOUD_PORT: '0',
      EDGE_PORT: '0',
      DEMO_STATUS_INTERVAL_MS: '500',
      DEMO_SCAN_INTERVAL_MS: '300',
      DEMO_DATA_DIR: dataDir.path,
    },
  });
  demo.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  demo.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const text = () => output.join('');

  afterAll(() => {
    if (demo.exitCode === null) demo.kill('SIGKILL');
    dataDir.remove();
  });

  it('shows its progress, the URLs and credentials for two organizations', async () => {
    await waitFor(() => (text().includes('[5/5] ready.') ? true : undefined), {
      timeoutMs: 90_000,
      what: `the demo to start; output so far:\n${text()}`,
    });
    for (const step of ['[1/5]', '[2/5]', '[3/5]', '[4/5]']) expect(text()).toContain(step);
    expect(text()).toMatch(/Cloud API\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(text()).toMatch(/admin@acme\.example\s+password \S{12,}/);
    expect(text()).toMatch(/admin@globex\.example\s+password \S{12,}/);
  }, 100_000);

  it('shows samples from all three protocols flowing to the cloud', async () => {
    const line = await waitFor(
      () => {
        const lines = text()
          .split('\n')
          .filter((l) => l.startsWith('recorded '));
        const last = lines.at(-1);
        const uploaded = Number(/uploaded (\d+)/.exec(last ?? '')?.[1] ?? 0);
        return last && uploaded > 0 && !/[✗…]/.test(last) ? last : undefined;
      },
      { timeoutMs: 60_000, what: `a status line with uploads and every connector up; output:\n${text()}` },
    );
    expect(line).toMatch(/presses ✓ mills ✓ mills-unit-2 ✓ fillers ✓/);
    expect(line).toMatch(/cloud ok/);
  }, 70_000);

  it.skipIf(!socatAvailable())(
    'shows scans from the simulated scanner and labels from the printer',
    async () => {
      const line = await waitFor(
        () => {
          const last = text()
            .split('\n')
            .filter((l) => l.startsWith('recorded '))
            .at(-1);
          const scans = Number(/scans (\d+)/.exec(last ?? '')?.[1] ?? 0);
          const labels = Number(/labels (\d+)/.exec(last ?? '')?.[1] ?? 0);
          return scans > 0 && labels > 0 ? last : undefined;
        },
        { timeoutMs: 30_000, what: `a status line with scans and labels; output:\n${text()}` },
      );
      expect(line).toMatch(/fillers ✓ · scans \d+ · labels \d+$/);
    },
    40_000,
  );

  it('stops everything within 5 s of Ctrl-C', async () => {
    const sentAt = Date.now();
    exit = new Promise((resolve) =>
      demo.once('exit', (code) => resolve({ code, afterMs: Date.now() - sentAt })),
    );
    demo.kill('SIGINT');
    const { code, afterMs } = await exit;
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(5000);
    expect(text()).toContain('stopped.');
  }, 10_000);
});
