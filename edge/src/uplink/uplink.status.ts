export type CloudStatus = 'starting' | 'not enrolled' | 'ok' | 'unreachable' | 'rejected';

export interface UplinkStatus {
  cloud: CloudStatus;
  edgeId?: string;
  uploaded: number;
  lastError?: string;
  lastUploadAt?: string;
}

export function uplinkStatus() {
  const current: UplinkStatus = { cloud: 'starting', uploaded: 0 };
  return {
    get: (): UplinkStatus => ({ ...current }),
    set(cloud: CloudStatus, lastError?: string) {
      current.cloud = cloud;
      if (lastError !== undefined) current.lastError = lastError;
    },
    enrolled(edgeId: string) {
      current.edgeId = edgeId;
    },
    uploaded(count: number, atMs: number) {
      current.uploaded += count;
      current.cloud = 'ok';
      if (count > 0) current.lastUploadAt = new Date(atMs).toISOString();
    },
  };
}

export type UplinkStatusTracker = ReturnType<typeof uplinkStatus>;
