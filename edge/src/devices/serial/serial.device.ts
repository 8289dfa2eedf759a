import { realpath } from 'node:fs/promises';
import type { SerialLine } from '@unison/config';
import type { Logger } from 'pino';
import { type BackoffOptions, exponentialBackoff } from '../../lib/backoff.ts';
import { errorMessage, sleep } from '../../lib/sleep.ts';
import { type OpenSerial, openSerialPort, type SerialLink } from './serial.port.ts';

export type SerialDeviceState = 'connecting' | 'open' | 'locked' | 'absent' | 'stopped';

export interface SerialDeviceStatus {
  state: SerialDeviceState;
  /** The configured path (often a /dev/serial/by-id link) and what it pointed to when last opened. */
  path: string;
  resolvedPath?: string;
  lastError?: string;
  opens: number;
  lockFailures: number;
}

export interface SerialDevice {
  status(): SerialDeviceStatus;
  /** Writes to the open port; fails when the device is not connected. */
  write(bytes: Buffer): Promise<void>;
  stop(): Promise<void>;
}

export interface SerialDeviceOptions {
  path: string;
  line: SerialLine;
  onData: (bytes: Buffer) => void;
  /** Runs after every (re)open, before data is delivered, e.g. to send configuration commands. */
  onOpen?: (link: SerialLink) => Promise<void> | void;
  /** Runs when the port goes away, e.g. to flush a half-received frame. */
  onLost?: () => void;
  onStatus?: (status: SerialDeviceStatus) => void;
  reconnect?: BackoffOptions;
  open?: OpenSerial;
  log?: Logger;
}

const isLockError = (error: unknown) => /lock/i.test(errorMessage(error));

/**
 * Keeps a serial device open: opens it, and after an unplug or a failed open tries again with
 * backoff, re-resolving the path each time so a re-enumerated device is found by its by-id link.
 */
export function startSerialDevice({
  path,
  line,
  onData,
  onOpen,
  onLost = () => {},
  onStatus = () => {},
  reconnect = {},
  open = openSerialPort,
  log,
}: SerialDeviceOptions): SerialDevice {
  const status: SerialDeviceStatus = { state: 'connecting', path, opens: 0, lockFailures: 0 };
  const abort = new AbortController();
  const backoff = exponentialBackoff({ initialDelayMs: 250, maxDelayMs: 10_000, ...reconnect });
  let link: SerialLink | undefined;

  const setState = (state: SerialDeviceState, lastError?: string) => {
    status.state = state;
    if (lastError !== undefined) status.lastError = lastError;
    onStatus({ ...status });
  };

  const openOnce = async (): Promise<SerialLink> => {
    const resolvedPath = await realpath(path);
    const opened = await open(path, line);
    status.resolvedPath = resolvedPath;
    return opened;
  };

  const run = async () => {
    while (!abort.signal.aborted) {
      setState('connecting');
      let opened: SerialLink | undefined;
      try {
        opened = await openOnce();
        if (abort.signal.aborted) {
          await opened.close();
          break;
        }
        const lost = new Promise<Error | undefined>((resolve) => opened?.onClose(resolve));
        await onOpen?.(opened);
        opened.onData(onData);
        link = opened;
        status.opens++;
        backoff.reset();
        setState('open');
        log?.info({ path, resolvedPath: status.resolvedPath }, 'serial device open');
        const error = await Promise.race([lost, aborted()]);
        link = undefined;
        onLost();
        if (abort.signal.aborted) {
          await opened.close();
          break;
        }
        log?.warn({ path, err: error }, 'serial device lost');
        setState('absent', errorMessage(error ?? 'closed'));
      } catch (error) {
        await opened?.close().catch(() => {});
        if (isLockError(error)) status.lockFailures++;
        setState(isLockError(error) ? 'locked' : 'absent', errorMessage(error));
        log?.warn(
          { path, err: error },
          isLockError(error) ? 'serial port locked by another owner' : 'serial open failed',
        );
      }
      await sleep(backoff.next(), abort.signal);
    }
    setState('stopped');
  };

  const aborted = () =>
    new Promise<undefined>((resolve) =>
      abort.signal.addEventListener('abort', () => resolve(undefined), { once: true }),
    );

  const running = run();
  return {
    status: () => ({ ...status }),
    write: (bytes) =>
      link ? link.write(bytes) : Promise.reject(new Error(`serial device ${path} is not connected`)),
    async stop() {
      abort.abort();
      await running;
    },
  };
}
