import { parseScan, type Result, type Scan } from '@unison/barcodes';
import type { ScannerProfile } from '@unison/config';
import type { Frame } from '../serial/serial.framer.ts';

const AIM_ID = /^\][A-Za-z][0-9A-Za-z]/;
// A second identifier inside one frame means two codes ran together (a lost suffix).
const INNER_AIM_ID = /\][A-Za-z][0-9]/g;
const GS = 0x1d;

const fail = (reason: string, position: number): Result<Scan> => ({ ok: false, error: { reason, position } });

/**
 * Turns one frame into a parsed scan, or a rejection with the reason and the byte position.
 * Never repairs: a frame that is not exactly one complete code is refused.
 */
export function decodeFrame(frame: Frame, profile: ScannerProfile): Result<Scan> {
  const { framing } = profile;
  if (frame.end === 'overflow') {
    return fail(
      `frame longer than ${framing.maxLengthBytes} bytes (${frame.droppedBytes} more bytes dropped)`,
      framing.maxLengthBytes,
    );
  }
  if (frame.end === 'silence' && framing.suffix.length > 0) {
    return fail(
      `incomplete code: ${framing.interByteTimeoutMs} ms of silence before the suffix ${JSON.stringify(framing.suffix)}`,
      frame.bytes.length,
    );
  }
  const control = frame.bytes.findIndex((byte) => (byte < 0x20 && byte !== GS) || byte === 0x7f);
  if (control >= 0) {
    return fail(`control byte 0x${frame.bytes[control]!.toString(16).padStart(2, '0')} in code`, control);
  }
  // latin1 maps each byte to one char, so positions stay byte positions and nothing is lost.
  const text = frame.bytes.toString('latin1');
  if (profile.aimIds) {
    if (!AIM_ID.test(text)) return fail('missing AIM symbology identifier (]Xm)', 0);
    INNER_AIM_ID.lastIndex = 3;
    const inner = INNER_AIM_ID.exec(text);
    if (inner) return fail('a second AIM identifier: two codes in one frame', inner.index);
  }
  return parseScan(text);
}
