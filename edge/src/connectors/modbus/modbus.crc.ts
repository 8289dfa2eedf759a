/** CRC-16/MODBUS of an RTU frame (polynomial 0xA001 reflected, initial 0xFFFF); sent low byte first. */
export function modbusCrc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export function withCrc(frame: Buffer): Buffer {
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(modbusCrc(frame));
  return Buffer.concat([frame, crc]);
}

export const hasValidCrc = (frame: Buffer) =>
  frame.length >= 4 && modbusCrc(frame.subarray(0, -2)) === frame.readUInt16LE(frame.length - 2);
