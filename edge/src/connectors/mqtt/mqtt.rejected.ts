/** A refused message, kept so an engineer can see what a machine actually sent. */
export interface RejectedMessage {
  atMs: number;
  topic: string;
  reason: string;
  sizeBytes: number;
  /** The payload as UTF-8, cut to the preview length. */
  payload: string;
  truncated: boolean;
}

export interface RejectedRing {
  add(message: { atMs: number; topic: string; reason: string; payload: Buffer }): void;
  /** Oldest first. */
  list(): RejectedMessage[];
}

/** Keeps the last `capacity` rejected messages; older ones fall out. */
export function rejectedRing({ capacity = 50, previewBytes = 512 } = {}): RejectedRing {
  const kept: RejectedMessage[] = [];
  return {
    add({ atMs, topic, reason, payload }) {
      if (capacity === 0) return;
      const truncated = payload.length > previewBytes;
      kept.push({
        atMs,
        topic,
        reason,
        sizeBytes: payload.length,
        payload: payload.subarray(0, previewBytes).toString('utf8'),
        truncated,
      });
      if (kept.length > capacity) kept.splice(0, kept.length - capacity);
    },
    list: () => kept.map((message) => ({ ...message })),
  };
}
