import type { Sample } from '@unison/contracts';

/** `trust pending`: an OPC UA server's certificate waits for an engineer to trust it. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'trust pending' | 'stopped';

export interface ConnectorStatus {
  state: ConnectionState;
  lastError?: string;
  /** Messages refused as malformed (MQTT). */
  rejected?: number;
}

export type EmitSamples = (samples: Sample[]) => void;

/** A source of samples; `start` resolves to the teardown that stops it. */
export interface Connector {
  id: string;
  type: string;
  start(emit: EmitSamples): Promise<() => Promise<void>>;
  status(): ConnectorStatus;
}

/** Keeps the status a connector reports; one-line setters for the connection's events. */
export function connectionStatus() {
  const current: ConnectorStatus = { state: 'stopped' };
  return {
    get: (): ConnectorStatus => ({ ...current }),
    set(state: ConnectionState, error?: string) {
      current.state = state;
      if (error !== undefined) current.lastError = error;
    },
    reject(error: string) {
      current.rejected = (current.rejected ?? 0) + 1;
      current.lastError = error;
    },
  };
}
