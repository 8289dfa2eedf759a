import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { tempDir } from '@unison/testkit';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const dir = tempDir('unison-edge-crash-');
afterAll(() => dir.remove());

describe('a killed edge', () => {
  it('leaves samples and outbox in step, with consecutive seqs', async () => {
    const file = join(dir.path, 'edge.db');
    const child = spawn(
      process.execPath,
      [resolve(import.meta.dirname, 'fixtures/record.forever.ts'), file],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((ready) =>
      child.stdout.on('data', (chunk) => String(chunk).includes('ready') && ready()),
    );
    child.kill('SIGKILL');
    await once(child, 'exit');

    const db = new Database(file, { readonly: true });
    const { samples } = db.prepare('SELECT count(*) AS samples FROM samples').get() as { samples: number };
    const outbox = db
      .prepare('SELECT count(*) AS n, min(seq) AS first, max(seq) AS last FROM outbox')
      .get() as {
      n: number;
      first: number;
      last: number;
    };
    db.close();
    expect(samples).toBeGreaterThan(0);
    expect(outbox.n).toBe(samples);
    expect([outbox.first, outbox.last]).toEqual([1, samples]);
  });
});
