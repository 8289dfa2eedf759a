import { createServer } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createCloudClient } from './cloud.client.ts';
import { cloudClock } from './cloud.clock.ts';

const HOUR_MS = 3_600_000;
const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('cloud clock', () => {
  it("estimates the edge's skew from the Date header and gives the cloud's time", () => {
    let localMs = Date.parse('2026-03-01T12:00:00.000Z') + HOUR_MS;
    const clock = cloudClock({ now: () => localMs, log });
    expect(clock.now()).toBe(localMs);
    expect(clock.status()).toEqual({ alarm: false });

    // Sent and received within 200 ms, answered in the cloud's second 12:00:00.
    clock.observe('Sun, 01 Mar 2026 12:00:00 GMT', localMs, localMs + 200);
    const { skewMs } = clock.status();
    expect(Math.abs(skewMs! - HOUR_MS)).toBeLessThanOrEqual(1000);
    localMs += 5_000;
    expect(Math.abs(clock.now() - Date.parse('2026-03-01T12:00:05.000Z'))).toBeLessThanOrEqual(1000);
  });

  it('ignores what the header cannot resolve, and a missing or broken header', () => {
    const cloudMs = Date.parse('2026-03-01T12:00:00.000Z');
    const clock = cloudClock({ now: () => cloudMs, log });
    clock.observe('Sun, 01 Mar 2026 12:00:00 GMT', cloudMs + 500, cloudMs + 500);
    expect(clock.status().skewMs).toBe(0);
    clock.observe('Sun, 01 Mar 2026 12:00:00 GMT', cloudMs + 900, cloudMs + 900);
    expect(clock.status().skewMs).toBe(0);
    clock.observe(null, cloudMs + HOUR_MS, cloudMs + HOUR_MS);
    clock.observe('yesterday-ish', cloudMs + HOUR_MS, cloudMs + HOUR_MS);
    expect(clock.status().skewMs).toBe(0);
  });

  it('raises the alarm once past the threshold and clears it when the clock is fixed', () => {
    const alarms: { raised: boolean; skewMs: number }[] = [];
    let localMs = Date.parse('2026-03-01T12:00:00.000Z') - HOUR_MS;
    const clock = cloudClock({ now: () => localMs, log, onAlarm: (alarm) => alarms.push(alarm) });
    const answerAt = (cloudIso: string) =>
      clock.observe(new Date(cloudIso).toUTCString(), localMs, localMs + 100);
    answerAt('2026-03-01T12:00:00.000Z');
    answerAt('2026-03-01T12:00:00.000Z');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.raised).toBe(true);
    expect(clock.status()).toMatchObject({ alarm: true, skewMs: expect.any(Number) });
    expect(clock.status().skewMs!).toBeLessThan(-HOUR_MS + 1000);

    localMs = Date.parse('2026-03-01T12:10:00.000Z');
    answerAt('2026-03-01T12:10:00.000Z');
    expect(alarms.map((alarm) => alarm.raised)).toEqual([true, false]);
    expect(clock.status().alarm).toBe(false);
  });

  it("learns the skew from a real server's answers through the cloud client", async () => {
    const server = createServer((_request, response) => {
      response.writeHead(503, { 'retry-after': '1' });
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    const clock = cloudClock({ now: () => Date.now() + HOUR_MS, log });
    const client = createCloudClient({ baseUrl: `http://127.0.0.1:${port}`, clock });
    const outcome = await client.enroll({ code: 'code', name: 'edge', publicKey: { kty: 'OKP' } });
    expect(outcome.kind).toBe('retry');
    expect(Math.abs(clock.status().skewMs! - HOUR_MS)).toBeLessThan(2000);
    expect(clock.status().alarm).toBe(true);
  });
});
