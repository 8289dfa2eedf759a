import type { SyncStream } from '@unison/contracts';

export type CloudStatus = 'starting' | 'not enrolled' | 'ok' | 'unreachable' | 'rejected';

export interface StreamUplinkStatus {
  uploaded: number;
  /** Highest seq the cloud acknowledged in this run (0 before the first acknowledgement). */
  ackedSeq: number;
  quarantined: number;
  lastUploadAt?: string;
}

export interface UplinkStatus {
  cloud: CloudStatus;
  edgeId?: string;
  /** Samples the cloud acknowledged since start. */
  uploaded: number;
  streams: Record<SyncStream, StreamUplinkStatus>;
  lastError?: string;
  lastUploadAt?: string;
}

export function uplinkStatus() {
  const current: UplinkStatus = {
    cloud: 'starting',
    uploaded: 0,
    streams: {
      events: { uploaded: 0, ackedSeq: 0, quarantined: 0 },
      samples: { uploaded: 0, ackedSeq: 0, quarantined: 0 },
    },
  };
  return {
    get: (): UplinkStatus => ({
      ...current,
      streams: { events: { ...current.streams.events }, samples: { ...current.streams.samples } },
    }),
    set(cloud: CloudStatus, lastError?: string) {
      current.cloud = cloud;
      if (lastError !== undefined) current.lastError = lastError;
    },
    enrolled(edgeId: string) {
      current.edgeId = edgeId;
    },
    uploaded(count: number, atMs: number, stream: SyncStream = 'samples') {
      const entry = current.streams[stream];
      entry.uploaded += count;
      if (stream === 'samples') current.uploaded += count;
      current.cloud = 'ok';
      if (count > 0) {
        current.lastUploadAt = new Date(atMs).toISOString();
        entry.lastUploadAt = current.lastUploadAt;
      }
    },
    acknowledged(stream: SyncStream, ackedSeq: number, quarantined = 0) {
      const entry = current.streams[stream];
      entry.ackedSeq = Math.max(entry.ackedSeq, ackedSeq);
      entry.quarantined += quarantined;
    },
  };
}

export type UplinkStatusTracker = ReturnType<typeof uplinkStatus>;
