import { randomUUID } from 'node:crypto';
import { createTestDatabase, databaseBackends, waitFor } from '@unison/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANGES_CHANNEL,
  type ChangeSignal,
  listenChangeSignal,
  pollingChangeSignal,
} from './changes.signal.ts';

const elapsed = async (work: () => Promise<unknown>) => {
  const startedMs = performance.now();
  await work();
  return performance.now() - startedMs;
};

describe('polling change signal', () => {
  it('asks readers to read again every interval and ends a wait on abort', async () => {
    const signal = pollingChangeSignal({ intervalMs: 50 });
    expect(signal.recheckMs()).toBe(50);
    const subscription = signal.subscribe(randomUUID());
    expect(await elapsed(() => subscription.next(300))).toBeGreaterThanOrEqual(290);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    expect(await elapsed(() => subscription.next(10_000, abort.signal))).toBeLessThan(5_000);
    subscription.close();
    await signal.close();
  });
});

const postgres = databaseBackends().find((backend) => backend.kind === 'postgres');

describe.skipIf(!postgres)('LISTEN change signal [postgres]', () => {
  let url: string;
  let drop: () => Promise<void>;
  let signal: ChangeSignal;
  let notifier: pg.Client;
  beforeAll(async () => {
    if (postgres?.kind !== 'postgres') return;
    ({ url, drop } = await createTestDatabase(postgres.serverUrl));
    signal = listenChangeSignal({ databaseUrl: url, recheckWhileListeningMs: 30_000 });
    notifier = new pg.Client({ connectionString: url });
    await notifier.connect();
  });
  afterAll(async () => {
    await notifier?.end();
    await signal?.close();
    await drop?.();
  });

  it("wakes an organization's readers at the notifying commit, also one that came before the wait, and nobody else", async () => {
    await waitFor(() => (signal.recheckMs() === 30_000 ? true : undefined), { what: 'LISTEN' });
    const organization = randomUUID();
    const mine = signal.subscribe(organization);
    const other = signal.subscribe(randomUUID());

    const woken = mine.next(20_000);
    setTimeout(() => notifier.query('select pg_notify($1, $2)', [CHANGES_CHANNEL, organization]), 100);
    expect(await elapsed(() => woken)).toBeLessThan(5_000);

    await notifier.query('select pg_notify($1, $2)', [CHANGES_CHANNEL, organization]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await elapsed(() => mine.next(20_000)), 'a wake-up before the wait is kept').toBeLessThan(100);

    expect(await elapsed(() => other.next(800)), 'another organization sleeps on').toBeGreaterThanOrEqual(
      790,
    );
    mine.close();
    other.close();
  });
});
