import type { DeadbandConfig, MachineConfig } from '@unison/config';
import type { Sample } from '@unison/contracts';

export const DEFAULT_MAX_SILENCE_MS = 300_000;

interface TagTrack {
  recorded: Sample;
  /** The newest sample seen, recorded or not. */
  latest: Sample;
  /** When a value of this tag was last stored, recorded or confirmed. */
  writtenMs: number;
}

export interface SampleFilter {
  /** The samples worth storing: a first value, a quality change, a change beyond the tag's deadband. */
  pass(samples: readonly Sample[]): Sample[];
  /** Tags silent for their max silence interval, confirmed with their latest value. */
  due(nowMs: number): Sample[];
  stats(): { passed: number; suppressed: number; confirmed: number };
}

function beyond(band: DeadbandConfig | undefined, recorded: Sample, next: Sample): boolean {
  if (next.quality !== recorded.quality) return true;
  if (typeof next.value !== 'number' || typeof recorded.value !== 'number')
    return next.value !== recorded.value;
  const change = Math.abs(next.value - recorded.value);
  if (band === undefined) return change > 0;
  const width = 'absolute' in band ? band.absolute : (Math.abs(recorded.value) * band.percent) / 100;
  return width === 0 ? change > 0 : change > width;
}

/** Report by exception: storage grows with change, not with the polling rate. */
export function createSampleFilter(machines: readonly MachineConfig[]): SampleFilter {
  const report = new Map(machines.map((m) => [m.id, m.report]));
  const tracks = new Map<string, TagTrack>();
  const stats = { passed: 0, suppressed: 0, confirmed: 0 };
  const maxSilenceOf = (machine: string) => report.get(machine)?.maxSilenceMs ?? DEFAULT_MAX_SILENCE_MS;

  return {
    pass(samples) {
      const out: Sample[] = [];
      for (const sample of samples) {
        // Back-filled values are history, not a change of the present: always stored, never compared.
        if (sample.historical) {
          out.push(sample);
          continue;
        }
        const key = `${sample.machine}\u0000${sample.tag}`;
        const track = tracks.get(key);
        const band = report.get(sample.machine)?.deadband[sample.tag];
        if (track && sample.tsMs < track.latest.tsMs) {
          // A late arrival is kept as data but must not become the value later ones are compared with.
          out.push(sample);
          continue;
        }
        if (!track || beyond(band, track.recorded, sample)) {
          tracks.set(key, { recorded: sample, latest: sample, writtenMs: sample.tsMs });
          out.push(sample);
        } else {
          track.latest = sample;
          stats.suppressed++;
        }
      }
      stats.passed += out.length;
      return out;
    },
    due(nowMs) {
      const out: Sample[] = [];
      for (const track of tracks.values()) {
        if (nowMs - track.writtenMs < maxSilenceOf(track.recorded.machine)) continue;
        const confirmation =
          track.latest.tsMs > track.recorded.tsMs ? track.latest : { ...track.latest, tsMs: nowMs };
        track.recorded = confirmation;
        track.latest = confirmation;
        track.writtenMs = nowMs;
        out.push(confirmation);
      }
      stats.confirmed += out.length;
      return out;
    },
    stats: () => ({ ...stats }),
  };
}

export interface ReportByException {
  record(samples: readonly Sample[]): void;
  stats(): ReturnType<SampleFilter['stats']>;
  stop(): void;
}

/** Puts a sample filter in front of `record` and confirms silent tags every `checkMs`. */
export function startReportByException({
  machines,
  record,
  now = Date.now,
  checkMs = 1000,
}: {
  machines: readonly MachineConfig[];
  record: (samples: Sample[]) => void;
  now?: () => number;
  checkMs?: number;
}): ReportByException {
  const filter = createSampleFilter(machines);
  const send = (samples: Sample[]) => {
    if (samples.length > 0) record(samples);
  };
  const timer = setInterval(() => send(filter.due(now())), checkMs);
  return {
    record: (samples) => send(filter.pass(samples)),
    stats: filter.stats,
    stop: () => clearInterval(timer),
  };
}
