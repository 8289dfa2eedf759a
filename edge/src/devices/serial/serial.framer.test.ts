import { Framing } from '@unison/config';
import { describe, expect, it } from 'vitest';
import { createFramer, type Frame, type Timers } from './serial.framer.ts';

/** Timers run by hand, so silence is a step in the test rather than a wait. */
function manualTimers() {
  let pending: (() => void) | undefined;
  const timers: Timers = {
    set: (callback) => {
      pending = callback;
      return callback;
    },
    clear: (handle) => {
      if (pending === handle) pending = undefined;
    },
  };
  return { timers, silence: () => pending?.() };
}

function framer(framing: Partial<Framing>) {
  const frames: Frame[] = [];
  const { timers, silence } = manualTimers();
  const f = createFramer(Framing.parse(framing), (frame) => frames.push(frame), timers);
  return {
    push: (s: string | Buffer) => f.push(Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1')),
    frames,
    silence,
  };
}
const texts = (frames: Frame[]) => frames.map((f) => [f.bytes.toString('latin1'), f.end]);

describe('serial framer', () => {
  it('cuts at a multi-byte suffix split across reads', () => {
    const { push, frames } = framer({ suffix: '\r\n' });
    push(']C0A\r');
    push('\n]C0B\r\n]C0');
    expect(texts(frames)).toEqual([
      [']C0A', 'suffix'],
      [']C0B', 'suffix'],
    ]);
  });

  it('ends a frame on silence and starts the next one fresh', () => {
    const { push, frames, silence } = framer({ suffix: '\r' });
    push(']C0PART');
    silence();
    push(']C0NEXT\r');
    expect(texts(frames)).toEqual([
      [']C0PART', 'silence'],
      [']C0NEXT', 'suffix'],
    ]);
  });

  it('bounds the buffer and reports an overflowing frame once, then reads on', () => {
    const { push, frames } = framer({ suffix: '\r', maxLengthBytes: 8 });
    push(`${'X'.repeat(20)}\r]C0OK\r`);
    expect(frames[0]).toMatchObject({ end: 'overflow', droppedBytes: 12 });
    expect(frames[0]!.bytes.length).toBe(9);
    expect(texts(frames.slice(1))).toEqual([[']C0OK', 'suffix']]);
  });

  it('passes every byte through unchanged', () => {
    const { push, frames } = framer({ suffix: '\r' });
    const bytes = Buffer.from([0x5d, 0x43, 0x30, 0x80, 0xe9, 0xff, 0x1d, 0x0d]);
    push(bytes);
    expect(frames[0]!.bytes).toEqual(bytes.subarray(0, 7));
  });
});
