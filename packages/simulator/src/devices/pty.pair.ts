import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface PtyPair {
  /** Paths of the two linked ends; bytes written to one are read from the other. */
  a: string;
  b: string;
  /** Ends the pair as an unplug would: both ends error or close. */
  stop(): Promise<void>;
}

/** Starts `socat` with two raw pseudo-terminals linked at `a` and `b`, and waits until both exist. */
export async function startPtyPair(
  a: string,
  b: string,
  { timeoutMs = 5000, socat = 'socat' } = {},
): Promise<PtyPair> {
  const child: ChildProcess = spawn(
    socat,
    ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(a) && existsSync(b))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`socat did not create ${a} and ${b}: ${stderr.trim() || 'timed out'}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    a,
    b,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
