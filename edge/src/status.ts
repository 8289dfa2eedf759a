import type { DownlinkStatus } from './downlink/downlink.status.ts';

export interface StreamStatus {
  /** Records waiting for the cloud, their JSON bytes, and the age of the oldest. */
  backlog: number;
  bytes: number;
  oldestAgeMs: number | null;
  /** Highest seq the cloud acknowledged since start (0 before the first acknowledgement). */
  ackedSeq: number;
  uploaded: number;
  /** Dropped unsent to stay within the buffer budget; events are never dropped. */
  dropped: number;
  quarantined: number;
}

export interface BufferState {
  budgetBytes: number;
  usedBytes: number;
  /** Raw samples are being dropped to stay within the budget (an `edge.alarm` event was raised). */
  samplesDropping: boolean;
  /** Events alone exceed the budget; they are kept anyway. */
  eventsOverBudget: boolean;
  alarms: number;
}

export interface EdgeStatus {
  edge: { name: string; plant: string; edgeId?: string; epoch: string };
  samples: { recorded: number; uploaded: number; backlog: number };
  cloud: {
    status: string;
    lastError?: string;
    lastUploadAt?: string;
    /** Edge clock minus the cloud's (positive: ahead), from the cloud's Date header; unknown before an answer. */
    clockSkewMs?: number;
    /** The skew is past the alarm threshold. */
    clockSkewAlarm?: boolean;
  };
  connectors: {
    id: string;
    type: string;
    status: string;
    lastError?: string;
    rejected?: number;
    /** What only this kind of connector knows, e.g. Modbus units and tags disabled by configuration errors. */
    details?: Record<string, unknown>;
  }[];
  /** Per upload stream; absent only in status built without a store. */
  streams?: { events: StreamStatus; samples: StreamStatus };
  buffer?: BufferState;
  /** The cloud → edge change feed into the replica; absent in status built without one. */
  downlink?: DownlinkStatus;
}
