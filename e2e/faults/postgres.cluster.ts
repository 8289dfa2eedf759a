import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@unison/testkit';

const run = promisify(execFile);
const POSTGRES_BIN_ROOT = '/usr/lib/postgresql';

/** The newest installed server's bin directory with initdb and pg_ctl; undefined when there is none. */
export function postgresBinaries(root = POSTGRES_BIN_ROOT): string | undefined {
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  return versions
    .map((version) => join(root, version, 'bin'))
    .find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
}

/** The uid and gid of the `postgres` OS user, or undefined when there is no such user. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * A throwaway PostgreSQL cluster of its own: initdb into a temporary directory and pg_ctl start on a
 * free port, with its unix socket in that directory. As root, everything runs as the `postgres` OS
 * user (the server refuses to run as root). `remove()` stops it and deletes the directory.
 */
export async function startPostgresCluster(bin: string) {
  const root = process.getuid?.() === 0;
  const owner = root ? await postgresUser() : undefined;
  if (root && !owner) throw new Error('running as root needs a postgres OS user to own the cluster');
  const dir = mkdtempSync(join(tmpdir(), 'unison-pg-cluster-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const port = await freePort();
  const asPostgres = (program: string, args: string[]) =>
    root
      ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args])
      : run(join(bin, program), args);
  // Only the server dies in these tests, never the machine: fsync would only slow them down.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const pgCtl = (...args: string[]) => asPostgres('pg_ctl', ['-D', dataDir, ...args]);

  await asPostgres('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--no-sync',
    '--no-instructions',
  ]);
  await pgCtl('start', '-w', '-t', '60', '-l', logFile, '-o', serverOptions);

  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    logFile,
    /** `fast` stops cleanly; `immediate` quits without a checkpoint, as a crash would, and recovers on start. */
    restart: (mode: 'fast' | 'immediate') =>
      pgCtl('restart', '-w', '-t', '60', '-m', mode, '-l', logFile, '-o', serverOptions),
    stop: (mode: 'fast' | 'immediate' = 'fast') => pgCtl('stop', '-w', '-t', '60', '-m', mode),
    start: () => pgCtl('start', '-w', '-t', '60', '-l', logFile, '-o', serverOptions),
    remove: async () => {
      await pgCtl('stop', '-w', '-t', '30', '-m', 'immediate').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type PostgresCluster = Awaited<ReturnType<typeof startPostgresCluster>>;
