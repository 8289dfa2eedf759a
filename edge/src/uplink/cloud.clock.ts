import type { Logger } from 'pino';

export interface CloudClockOptions {
  /** The edge's own clock. */
  now?: () => number;
  log: Logger;
  /** From this skew on the edge raises an alarm; the cloud tolerates 30 s on assertions. */
  alarmThresholdMs?: number;
  /** Called when the alarm starts and when it clears. */
  onAlarm?: (alarm: { raised: boolean; skewMs: number }) => void;
}

export interface CloudClockStatus {
  /** Edge clock minus cloud clock (positive: the edge is ahead); undefined before the first answer. */
  skewMs?: number;
  alarm: boolean;
}

// A Date header has whole seconds: an estimate that moved less than that is noise.
const DATE_RESOLUTION_MS = 1000;

/**
 * The cloud's time as the edge estimates it from the `Date` header of every answer. Assertions are
 * signed with it, so a plant whose clock drifts keeps syncing; records keep the edge's own time.
 */
export function cloudClock({ now = Date.now, log, alarmThresholdMs = 30_000, onAlarm }: CloudClockOptions) {
  let skewMs: number | undefined;
  let alarm = false;

  function observe(dateHeader: string | null, sentAtMs: number, receivedAtMs: number) {
    const cloudSecondMs = dateHeader ? Date.parse(dateHeader) : Number.NaN;
    if (!Number.isFinite(cloudSecondMs)) return;
    // The header was written somewhere within its second, and somewhere between send and receive.
    const measuredMs = Math.round((sentAtMs + receivedAtMs) / 2 - (cloudSecondMs + DATE_RESOLUTION_MS / 2));
    if (skewMs !== undefined && Math.abs(measuredMs - skewMs) < DATE_RESOLUTION_MS) return;
    skewMs = measuredMs;
    const over = Math.abs(skewMs) >= alarmThresholdMs;
    if (over === alarm) return;
    alarm = over;
    const seconds = Math.round(skewMs / 1000);
    if (over) {
      log.error(
        { skewMs },
        `edge clock is ${Math.abs(seconds)} s ${seconds > 0 ? 'ahead of' : 'behind'} the cloud's: fix the time source (NTP); meanwhile the edge signs with the cloud's time and records keep the edge's`,
      );
    } else {
      log.info({ skewMs }, 'edge clock agrees with the cloud again');
    }
    onAlarm?.({ raised: over, skewMs });
  }

  return {
    /** The cloud's time now, as well as the edge knows it; the edge's own time before any answer. */
    now: () => now() - (skewMs ?? 0),
    /** The edge's own time, to measure a request with. */
    localNow: now,
    observe,
    status: (): CloudClockStatus => ({ ...(skewMs === undefined ? {} : { skewMs }), alarm }),
  };
}

export type CloudClock = ReturnType<typeof cloudClock>;
