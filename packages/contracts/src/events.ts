import { z } from 'zod';
import { MachineCode } from './sample.ts';

/**
 * Something that happened at the edge and must reach the cloud exactly once: a machine state change,
 * a count, a scan, a print job's outcome. Events are never dropped to make room for samples.
 */
export const EdgeEvent = z.strictObject({
  /** UUIDv7 made when the event is born. */
  id: z.uuid(),
  /** Dotted kind, e.g. `machine.state`, `machine.count`, `scan.rejected`, `lot.received`, `print.printed`. */
  type: z.string().regex(/^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*)+$/, 'dotted lowercase kind like machine.state'),
  machine: MachineCode.optional(),
  /** Where it came from: a connector, a station, a printer id. */
  source: z.string().min(1).max(128),
  /** When it happened, epoch milliseconds. */
  tsMs: z.number().int().nonnegative(),
  /** For events that close an interval (a state that ended): its length. */
  durationMs: z.number().int().nonnegative().optional(),
  payload: z.record(z.string(), z.unknown()),
});
export type EdgeEvent = z.infer<typeof EdgeEvent>;

export type EmitEvent = (event: EdgeEvent) => void;
