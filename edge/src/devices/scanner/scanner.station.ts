import type { ScannerProfile, StationConfig } from '@unison/config';
import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';
import { errorMessage } from '../../lib/sleep.ts';
import { type Clock, type EmitEvent, systemClock } from '../device.events.ts';
import { type SerialDeviceStatus, startSerialDevice } from '../serial/serial.device.ts';
import { createFramer, type Frame } from '../serial/serial.framer.ts';
import type { OpenSerial } from '../serial/serial.port.ts';
import { routeScan, type StationState } from './scan.actions.ts';
import { decodeFrame } from './scan.decode.ts';

export interface ScanFeedback {
  ok: boolean;
  message: string;
}

export interface PrintRequest {
  printer: string;
  template: string;
  variables: Record<string, string>;
  /** The event the label belongs to, for traceability. */
  sourceEventId: string;
}

export interface StationStatus {
  station: string;
  scanner: SerialDeviceStatus;
  accepted: number;
  rejected: number;
  activeWorkOrder?: string;
}

export interface Station {
  status(): StationStatus;
  stop(): Promise<void>;
}

export interface StationOptions {
  station: StationConfig;
  profile: ScannerProfile;
  emitEvent: EmitEvent;
  onFeedback?: (feedback: ScanFeedback) => void;
  /** Queues a label; called after the scan's event was emitted. */
  print?: (request: PrintRequest) => unknown;
  clock?: Clock;
  log?: Logger;
  open?: OpenSerial;
  initialState?: StationState;
}

/** Reads a station's scanner and turns each frame into exactly one event: an action's result or a rejection. */
export function startStation({
  station,
  profile,
  emitEvent,
  onFeedback = () => {},
  print,
  clock = systemClock,
  log,
  open,
  initialState = {},
}: StationOptions): Station {
  let state: StationState = { ...initialState };
  const counts = { accepted: 0, rejected: 0 };
  const encode = (text: string | undefined) => (text ? Buffer.from(text, 'latin1') : undefined);
  const goodRead = encode(profile.feedback.goodRead);
  const badRead = encode(profile.feedback.badRead);

  const emit = (type: string, payload: Record<string, unknown>) => {
    const event = { id: uuidv7(), type, tsMs: clock.now(), source: station.id, payload };
    emitEvent(event);
    return event;
  };
  const answer = (feedback: ScanFeedback) => {
    onFeedback(feedback);
    const bytes = feedback.ok ? goodRead : badRead;
    if (bytes) device.write(bytes).catch((error) => log?.warn({ err: error }, 'scanner feedback not sent'));
  };
  const reject = (frame: Frame, reason: string, position: number) => {
    counts.rejected++;
    emit('scan.rejected', {
      reason,
      position,
      text: frame.bytes.toString('latin1'),
      hex: frame.bytes.toString('hex'),
    });
    answer({ ok: false, message: `Rejected at ${position}: ${reason}` });
  };

  const onFrame = (frame: Frame) => {
    const decoded = decodeFrame(frame, profile);
    if (!decoded.ok) return reject(frame, decoded.error.reason, decoded.error.position);
    const outcome = routeScan(decoded.value, station.routes, state);
    if (!outcome.ok) return reject(frame, outcome.reason, outcome.position);
    counts.accepted++;
    state = outcome.state;
    const event = emit(outcome.type, {
      ...outcome.payload,
      action: outcome.action,
      text: decoded.value.text,
    });
    let message = outcome.message;
    if (outcome.print && station.printer && print) {
      try {
        print({
          printer: station.printer,
          template: outcome.print.template,
          variables: { ...outcome.print.variables, station: station.id },
          sourceEventId: event.id,
        });
      } catch (error) {
        message += `; label not queued: ${errorMessage(error)}`;
        log?.error({ err: error, station: station.id }, 'label not queued');
      }
    }
    answer({ ok: true, message });
  };

  const framer = createFramer(profile.framing, onFrame);
  const device = startSerialDevice({
    path: station.scanner.path,
    line: profile.serial,
    reconnect: station.scanner.reconnect,
    onData: (bytes) => framer.push(bytes),
    onLost: () => framer.flush(),
    onOpen: async (link) => {
      for (const command of profile.connectCommands) await link.write(Buffer.from(command.send, 'latin1'));
    },
    ...(open ? { open } : {}),
    ...(log ? { log: log.child({ station: station.id }) } : {}),
  });

  return {
    status: () => ({
      station: station.id,
      scanner: device.status(),
      ...counts,
      activeWorkOrder: state.activeWorkOrder,
    }),
    async stop() {
      await device.stop();
      framer.dispose();
    },
  };
}
