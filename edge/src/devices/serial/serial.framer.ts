import type { Framing } from '@unison/config';

export type FrameEnd = 'suffix' | 'silence' | 'overflow';

/** A chunk of bytes between two boundaries; `end` says what ended it. */
export interface Frame {
  bytes: Buffer;
  end: FrameEnd;
  /** Bytes thrown away after `maxLengthBytes` (then `end` is 'overflow' and `bytes` is only the start). */
  droppedBytes: number;
}

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface Framer {
  push(bytes: Buffer): void;
  /** Emits what is buffered now (as ended by silence); used when the port goes away. */
  flush(): void;
  dispose(): void;
}

/**
 * Cuts a byte stream into frames: at the suffix, after `interByteTimeoutMs` of silence, or at
 * `maxLengthBytes` (the buffer never grows past it; the overflowing frame is reported, not split
 * into pieces that could pass for codes).
 */
export function createFramer(
  { suffix, interByteTimeoutMs, maxLengthBytes }: Framing,
  onFrame: (frame: Frame) => void,
  timers: Timers = realTimers,
): Framer {
  const suffixBytes = Buffer.from(suffix, 'latin1');
  const buffer = Buffer.alloc(maxLengthBytes + suffixBytes.length);
  let length = 0;
  let dropped = 0;
  let timer: unknown;

  const emit = (end: FrameEnd) => {
    if (length === 0 && dropped === 0) return;
    const bytes = Buffer.from(buffer.subarray(0, length));
    const droppedBytes = dropped;
    length = 0;
    dropped = 0;
    onFrame({ bytes, end: droppedBytes > 0 ? 'overflow' : end, droppedBytes });
  };

  // The last bytes seen, so a suffix is still found while an overflowing frame is being dropped.
  const recent = Buffer.alloc(suffixBytes.length);
  const pushByte = (byte: number) => {
    if (recent.length > 0) {
      recent.copyWithin(0, 1);
      recent[recent.length - 1] = byte;
    }
    if (dropped === 0 && length < buffer.length) buffer[length++] = byte;
    else dropped++;
    if (recent.length > 0 && recent.equals(suffixBytes)) {
      if (dropped === 0) length -= suffixBytes.length;
      emit('suffix');
      recent.fill(0);
    }
  };

  return {
    push(bytes) {
      if (timer !== undefined) timers.clear(timer);
      for (const byte of bytes) pushByte(byte);
      timer = length > 0 || dropped > 0 ? timers.set(() => emit('silence'), interByteTimeoutMs) : undefined;
    },
    flush() {
      if (timer !== undefined) timers.clear(timer);
      timer = undefined;
      emit('silence');
    },
    dispose() {
      if (timer !== undefined) timers.clear(timer);
      timer = undefined;
      length = 0;
      dropped = 0;
    },
  };
}
