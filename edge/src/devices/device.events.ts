/** An event a device produced; the edge stores it in its outbox. */
export interface DeviceEvent {
  id: string;
  type: string;
  tsMs: number;
  /** The station or printer it came from. */
  source: string;
  payload: Record<string, unknown>;
}

export type EmitEvent = (event: DeviceEvent) => void;

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
