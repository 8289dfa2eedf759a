import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { waitFor } from '@unison/testkit';

const MAIN = join(import.meta.dirname, '..', '..', 'cloud', 'src', 'main.ts');
const OUTPUT_KEPT_CHARS = 8_000;

export interface CloudProcessOptions {
  port: number;
  /** PostgreSQL; without it the cloud runs on the PGlite files in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
}

/** `pnpm cloud` in its own process on a fixed port, to kill and start again on the same database. */
export function cloudProcess({ port, databaseUrl, dataDir }: CloudProcessOptions) {
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT_CHARS);
  };
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  /** Starts the process and resolves once /health answers 200 (database reachable). */
  async function start(timeoutMs = 45_000): Promise<void> {
    if (running()) throw new Error('the cloud process is running already');
    const { DATABASE_URL: _inherited, ...env } = process.env;
    const started = spawn(process.execPath, [MAIN], {
      env: {
        ...env,
        CLOUD_PORT: String(port),
        CLOUD_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { CLOUD_DATA_DIR: dataDir }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout.on('data', keep);
    started.stderr.on('data', keep);
    const exited = once(started, 'exit').then(([code, signal]) => {
      throw new Error(`the cloud exited (${signal ?? code}) before it was ready:\n${output}`);
    });
    exited.catch(() => {});
    await Promise.race([
      waitFor(
        async () => ((await fetch(`${url}/health`)).ok ? true : undefined),
        // PGlite recovering its files after a kill takes seconds, more on a busy machine.
        { timeoutMs, intervalMs: 50, what: `the cloud on ${url}; output:\n${output}` },
      ),
      exited,
    ]);
  }

  /** Sends `signal` and waits for the exit; nothing to do when it is not running. */
  async function stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!child || !running()) return;
    const exit = once(child, 'exit');
    child.kill(signal);
    await exit;
  }

  return {
    url,
    start,
    stop,
    running,
    pid: () => child?.pid,
    output: () => output,
  };
}

export type CloudProcess = ReturnType<typeof cloudProcess>;
