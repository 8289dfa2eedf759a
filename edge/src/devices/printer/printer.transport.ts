/** A byte pipe to one printer. Exactly one exists per printer address in this process. */
export interface PrinterTransport {
  readonly address: string;
  /** Sends bytes, connecting first when needed. Rejects with NotConnectedError when nothing could be sent. */
  write(bytes: Buffer): Promise<void>;
  /** Sends `bytes` and collects the answer until `complete(answer)`; undefined when it did not come in time. */
  request(
    bytes: Buffer,
    complete: (answer: Buffer) => boolean,
    timeoutMs: number,
  ): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

/** Nothing reached the printer: safe to try the same job again. */
export class NotConnectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotConnectedError';
  }
}

const owners = new Set<string>();

/** Claims a printer address for one session; a second claim fails, so no printer gets two writers. */
export function claimPrinter(address: string): () => void {
  if (owners.has(address)) throw new Error(`printer ${address} already has an owner in this process`);
  owners.add(address);
  let released = false;
  return () => {
    if (!released) owners.delete(address);
    released = true;
  };
}

/** Collects answers for one request at a time and serialises everything written to the printer. */
export function answerCollector() {
  let pending:
    | { chunks: Buffer[]; complete: (answer: Buffer) => boolean; done: (answer?: Buffer) => void }
    | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    onData(bytes: Buffer) {
      if (!pending) return; // unsolicited or late bytes belong to no request
      pending.chunks.push(bytes);
      const answer = Buffer.concat(pending.chunks);
      if (pending.complete(answer)) pending.done(answer);
    },
    /** Runs `task` after every earlier one, so a job's bytes and a status request never interleave. */
    serialise<T>(task: () => Promise<T>): Promise<T> {
      const run = queue.then(task, task);
      queue = run.catch(() => undefined);
      return run;
    },
    async collect(send: () => Promise<void>, complete: (answer: Buffer) => boolean, timeoutMs: number) {
      const answer = new Promise<Buffer | undefined>((resolve) => {
        const timer = setTimeout(() => finish(undefined), timeoutMs);
        const finish = (value?: Buffer) => {
          clearTimeout(timer);
          pending = undefined;
          resolve(value);
        };
        pending = { chunks: [], complete, done: finish };
      });
      try {
        await send();
      } catch {
        pending?.done(undefined);
      }
      return answer;
    },
  };
}
