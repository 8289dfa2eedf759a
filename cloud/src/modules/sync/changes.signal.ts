import pg from 'pg';

/** The channel change_log_record() notifies on, with the organization id as payload. */
export const CHANGES_CHANNEL = 'unison_changes';

/** Wakes long-polling readers when their organization may have a new change. */
export interface ChangeSignal {
  /** Subscribe before reading, so a change committed between the read and the wait is not missed. */
  subscribe(organizationId: string): ChangeSubscription;
  /** Longest a reader should wait before reading again even without a wake-up. */
  recheckMs(): number;
  close(): Promise<void>;
}

export interface ChangeSubscription {
  /** Resolves on a wake-up (also one that came before this call), after `timeoutMs`, or on abort. */
  next(timeoutMs: number, abort?: AbortSignal): Promise<void>;
  close(): void;
}

type Waker = { pending: boolean; wake?: () => void };

function subscriptions() {
  const byOrganization = new Map<string, Set<Waker>>();
  return {
    notify(organizationId: string) {
      for (const waker of byOrganization.get(organizationId) ?? []) {
        waker.pending = true;
        waker.wake?.();
      }
    },
    notifyAll() {
      for (const organizationId of [...byOrganization.keys()]) this.notify(organizationId);
    },
    subscribe(organizationId: string): ChangeSubscription {
      const waker: Waker = { pending: false };
      const set = byOrganization.get(organizationId) ?? new Set<Waker>();
      byOrganization.set(organizationId, set);
      set.add(waker);
      return {
        next: (timeoutMs, abort) =>
          new Promise<void>((resolve) => {
            if (waker.pending || abort?.aborted) {
              waker.pending = false;
              resolve();
              return;
            }
            const done = () => {
              clearTimeout(timer);
              abort?.removeEventListener('abort', done);
              waker.wake = undefined;
              waker.pending = false;
              resolve();
            };
            const timer = setTimeout(done, Math.max(0, timeoutMs));
            abort?.addEventListener('abort', done, { once: true });
            waker.wake = done;
          }),
        close: () => {
          waker.wake?.();
          set.delete(waker);
          if (set.size === 0) byOrganization.delete(organizationId);
        },
      };
    },
  };
}

/** Readers simply read again every `intervalMs` (PGlite, or wherever no notification reaches us). */
export function pollingChangeSignal({ intervalMs = 200 }: { intervalMs?: number } = {}): ChangeSignal {
  const subs = subscriptions();
  return { subscribe: subs.subscribe, recheckMs: () => intervalMs, close: async () => {} };
}

export interface ListenOptions {
  databaseUrl: string;
  /** How often readers read again while the listening connection is down. */
  fallbackIntervalMs?: number;
  /** A safety net for a notification lost with a broken connection. */
  recheckWhileListeningMs?: number;
  reconnectDelayMs?: number;
  onError?: (error: Error) => void;
}

/**
 * PostgreSQL LISTEN on one dedicated connection: a commit that logs a change of an organization
 * wakes that organization's readers at once. It reconnects on its own; meanwhile readers poll.
 */
export function listenChangeSignal({
  databaseUrl,
  fallbackIntervalMs = 200,
  recheckWhileListeningMs = 5_000,
  reconnectDelayMs = 1_000,
  onError = () => {},
}: ListenOptions): ChangeSignal {
  const subs = subscriptions();
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async () => {
    const next = new pg.Client({ connectionString: databaseUrl });
    client = next;
    next.on('notification', (message) => {
      if (message.channel === CHANGES_CHANNEL && message.payload) subs.notify(message.payload);
    });
    next.on('error', (error) => {
      onError(error);
      lost(next);
    });
    next.on('end', () => lost(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANGES_CHANNEL}`);
      if (closed) return void (await next.end().catch(() => {}));
      listening = true;
    } catch (error) {
      onError(error as Error);
      lost(next);
    }
  };
  const lost = (which: pg.Client) => {
    if (client !== which) return;
    listening = false;
    client = undefined;
    // Whatever committed while the connection was down woke nobody: everyone reads again.
    subs.notifyAll();
    which.end().catch(() => {});
    if (!closed) retry = setTimeout(connect, reconnectDelayMs);
  };
  void connect();

  return {
    subscribe: subs.subscribe,
    recheckMs: () => (listening ? recheckWhileListeningMs : fallbackIntervalMs),
    close: async () => {
      closed = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      listening = false;
      await current?.end().catch(() => {});
    },
  };
}
