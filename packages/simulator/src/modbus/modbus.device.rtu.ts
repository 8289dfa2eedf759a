import { openPtyEnd } from '../devices/pty.end.ts';
import type { ModbusDevice } from './modbus.device.ts';

function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** Read requests (functions 1-4) are unit, function, address, count and CRC: 8 bytes. */
const READ_FRAME_BYTES = 8;

/**
 * Serves a device as RTU slaves on one end of a pseudo-terminal pair. A frame with a bad CRC is
 * dropped unanswered, as a real slave does; `replyDelayMs` imitates a slow device.
 */
export function serveModbusRtu(
  device: ModbusDevice,
  { path, replyDelayMs = 0 }: { path: string; replyDelayMs?: number },
): { frames: { received: number; corrupt: number }; stop(): void } {
  const end = openPtyEnd(path);
  const frames = { received: 0, corrupt: 0 };
  let received = Buffer.alloc(0);
  const timers = new Set<NodeJS.Timeout>();
  end.onData((chunk) => {
    received = Buffer.concat([received, chunk]);
    while (received.length >= READ_FRAME_BYTES) {
      const frame = received.subarray(0, READ_FRAME_BYTES);
      received = received.subarray(READ_FRAME_BYTES);
      if (crc16(frame.subarray(0, -2)) !== frame.readUInt16LE(READ_FRAME_BYTES - 2)) {
        frames.corrupt += 1;
        received = Buffer.alloc(0);
        return;
      }
      frames.received += 1;
      const unitId = frame.readUInt8(0);
      const response = device.handle(unitId, frame.subarray(1, -2));
      if (!response) continue;
      const body = Buffer.concat([Buffer.from([unitId]), response]);
      const crc = Buffer.alloc(2);
      crc.writeUInt16LE(crc16(body));
      const reply = () => void end.write(Buffer.concat([body, crc])).catch(() => {});
      if (replyDelayMs === 0) reply();
      else {
        const timer = setTimeout(() => {
          timers.delete(timer);
          reply();
        }, replyDelayMs);
        timers.add(timer);
      }
    }
  });
  return {
    frames,
    stop() {
      for (const timer of timers) clearTimeout(timer);
      end.close();
    },
  };
}
