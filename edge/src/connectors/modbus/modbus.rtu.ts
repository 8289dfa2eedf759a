import type { ModbusSerialLineConfig } from '@unison/config';
import { sleep } from '../../lib/sleep.ts';
import { hasValidCrc, withCrc } from './modbus.crc.ts';
import { ModbusLinkError, ModbusTimeoutError, responsePduLength } from './modbus.pdu.ts';
import { type OpenSerialLine, openSerialLine } from './modbus.serial.ts';
import type { ModbusTransport } from './modbus.transport.ts';

/** 3.5 character times of silence between frames; the spec fixes 1.75 ms above 19200 baud. */
export function interFrameDelayMs({ baudRate, dataBits, parity, stopBits }: ModbusSerialLineConfig): number {
  if (baudRate > 19_200) return 1.75;
  const bitsPerChar = 1 + dataBits + (parity === 'none' ? 0 : 1) + stopBits;
  return (3.5 * bitsPerChar * 1000) / baudRate;
}

/**
 * Modbus RTU on one serial line: one request on the wire at a time, the inter-frame silence kept
 * before each, and the input discarded after a timeout so a late answer cannot pass for the next one.
 */
export async function connectModbusRtu(
  line: ModbusSerialLineConfig & { interFrameDelayMs?: number | undefined },
  open: OpenSerialLine = openSerialLine,
): Promise<ModbusTransport> {
  const serial = await open(line);
  const gapMs = line.interFrameDelayMs ?? interFrameDelayMs(line);
  let lineFree: Promise<void> = Promise.resolve();
  let lastActivityMs = 0;
  let failure: ModbusLinkError | undefined;
  let received = Buffer.alloc(0);
  let onFrame: (() => void) | undefined;

  serial.onData((chunk) => {
    lastActivityMs = performance.now();
    // Bytes nobody waits for (noise, a late answer) are dropped.
    if (!onFrame) return;
    received = Buffer.concat([received, chunk]);
    onFrame();
  });
  serial.onClose((error) => {
    failure ??= new ModbusLinkError(`serial line ${line.path}: ${error.message}`);
    onFrame?.();
  });

  async function exchange(unitId: number, pdu: Buffer, timeoutMs: number): Promise<Buffer> {
    if (failure) throw failure;
    const silentForMs = performance.now() - lastActivityMs;
    if (silentForMs < gapMs) await sleep(Math.ceil(gapMs - silentForMs));
    received = Buffer.alloc(0);
    const answer = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => finish(new ModbusTimeoutError(`unit ${unitId}`, timeoutMs)), timeoutMs);
      function finish(outcome: Buffer | Error) {
        clearTimeout(timer);
        onFrame = undefined;
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      }
      onFrame = () => {
        if (failure) return finish(failure);
        const pduLength = responsePduLength(received.subarray(1));
        if (pduLength === undefined || received.length < 1 + pduLength + 2) return;
        const frame = received.subarray(0, 1 + pduLength + 2);
        if (!hasValidCrc(frame) || frame.readUInt8(0) !== unitId) {
          return finish(new ModbusTimeoutError(`unit ${unitId}: corrupt or foreign frame`, timeoutMs));
        }
        finish(Buffer.from(frame.subarray(1, -2)));
      };
    });
    try {
      await serial.write(withCrc(Buffer.concat([Buffer.from([unitId]), pdu])));
      lastActivityMs = performance.now();
      return await answer;
    } catch (error) {
      if (error instanceof ModbusTimeoutError) await serial.flush();
      throw error;
    } finally {
      lastActivityMs = performance.now();
    }
  }

  return {
    request(unitId, pdu, timeoutMs) {
      const result = lineFree.then(() => exchange(unitId, pdu, timeoutMs));
      lineFree = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
    close() {
      failure ??= new ModbusLinkError('closed');
      onFrame?.();
      void serial.close();
    },
  };
}
