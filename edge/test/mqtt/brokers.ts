import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir, waitFor } from '@unison/testkit';
import pino from 'pino';
import { type Broker, startBroker } from '../../src/broker/broker.ts';
import { mosquittoReachable } from './mosquitto.ts';

/** A broker a test can take away and bring back on the same port. */
export interface RestartableBroker {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function restartableAedes(): Promise<RestartableBroker> {
  const log = pino({ level: 'silent' });
  let broker: Broker | undefined = await startBroker({ host: '127.0.0.1', port: 0, log });
  const port = broker.port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: async () => {
      await broker?.stop();
      broker = undefined;
    },
    start: async () => {
      broker = await startBroker({ host: '127.0.0.1', port, log });
    },
    close: async () => {
      await broker?.stop();
    },
  };
}

export const MOSQUITTO_BINARY = '/usr/sbin/mosquitto';
export const canRunMosquitto = () => existsSync(MOSQUITTO_BINARY);

const listening = (port: number) =>
  waitFor(async () => ((await mosquittoReachable(port)) ? true : undefined), {
    what: `mosquitto on ${port}`,
  });

/** A private Mosquitto process on a free port, so a test can kill and restart it. */
export async function restartableMosquitto(): Promise<RestartableBroker> {
  const port = await freePort();
  const dir = tempDir('unison-mosquitto-');
  const configFile = join(dir.path, 'mosquitto.conf');
  writeFileSync(configFile, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(MOSQUITTO_BINARY, ['-c', configFile], { stdio: 'ignore' });
    await listening(port);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop,
    start,
    close: async () => {
      await stop();
      dir.remove();
    },
  };
}
