/** Tables of one simulated unit; a read past a table's end, or over a hole, answers exception 0x02. */
export interface DeviceUnitMemory {
  holding: number[];
  input: number[];
  coils: boolean[];
  discrete: boolean[];
  /** Addresses that do not exist although the table goes on past them (a sparse register map). */
  holes: Partial<Record<DeviceTable, number[]>>;
}

export type DeviceTable = 'coil' | 'discrete' | 'holding' | 'input';

/** Switches a test flips to make the device misbehave the ways field devices do. */
export interface DeviceFaults {
  /** Units that never answer (a dead drop behind a gateway, a unit switched off on an RTU line). */
  silent: Set<number>;
  /** Units answering every request with this exception code (e.g. 0x0B, 0x04). */
  exception: Map<number, number>;
  /** Units answering their next N requests with 0x06 (server busy). */
  busy: Map<number, number>;
}

export interface ModbusDevice {
  units: Map<number, DeviceUnitMemory>;
  faults: DeviceFaults;
  /** Requests and registers (or bits) served, per unit: what a read plan costs. */
  served: Map<number, { requests: number; items: number }>;
  /** The response PDU, or undefined to stay silent. Unknown units get `unknownUnit`'s answer. */
  handle(unitId: number, pdu: Buffer): Buffer | undefined;
}

const TABLE_BY_FUNCTION: Record<number, DeviceTable> = { 1: 'coil', 2: 'discrete', 3: 'holding', 4: 'input' };
const GATEWAY_TARGET_FAILED = 0x0b;

const exceptionPdu = (functionCode: number, code: number) => Buffer.from([functionCode | 0x80, code]);

export function emptyUnit(memory: Partial<DeviceUnitMemory> = {}): DeviceUnitMemory {
  return { holding: [], input: [], coils: [], discrete: [], holes: {}, ...memory };
}

/**
 * A programmable Modbus device (or a gateway with several units): reads of the four tables,
 * exceptions by the spec, and faults switched on per unit.
 * `unknownUnit: 'gateway'` answers unknown units with 0x0B as a TCP gateway does; 'silent' as an RTU line.
 */
export function createModbusDevice({
  units = {},
  unknownUnit = 'gateway',
}: {
  units?: Record<number, Partial<DeviceUnitMemory>>;
  unknownUnit?: 'gateway' | 'silent';
} = {}): ModbusDevice {
  const memory = new Map(Object.entries(units).map(([id, unit]) => [Number(id), emptyUnit(unit)]));
  const faults: DeviceFaults = { silent: new Set(), exception: new Map(), busy: new Map() };
  const served = new Map<number, { requests: number; items: number }>();

  function read(unit: DeviceUnitMemory, functionCode: number, pdu: Buffer): Buffer {
    const table = TABLE_BY_FUNCTION[functionCode];
    if (!table || pdu.length !== 5) return exceptionPdu(functionCode, 0x01);
    const start = pdu.readUInt16BE(1);
    const count = pdu.readUInt16BE(3);
    const bits = table === 'coil' || table === 'discrete';
    if (count < 1 || count > (bits ? 2000 : 125)) return exceptionPdu(functionCode, 0x03);
    const values = { coil: unit.coils, discrete: unit.discrete, holding: unit.holding, input: unit.input }[
      table
    ];
    const holes = unit.holes[table] ?? [];
    if (start + count > values.length || holes.some((hole) => hole >= start && hole < start + count)) {
      return exceptionPdu(functionCode, 0x02);
    }
    if (bits) {
      const bytes = Buffer.alloc(Math.ceil(count / 8));
      for (let i = 0; i < count; i++)
        if (values[start + i]) bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (1 << (i & 7));
      return Buffer.concat([Buffer.from([functionCode, bytes.length]), bytes]);
    }
    const data = Buffer.alloc(count * 2);
    for (let i = 0; i < count; i++) data.writeUInt16BE(Number(values[start + i] ?? 0) & 0xffff, i * 2);
    return Buffer.concat([Buffer.from([functionCode, data.length]), data]);
  }

  return {
    units: memory,
    faults,
    served,
    handle(unitId, pdu) {
      const functionCode = pdu.readUInt8(0);
      const unit = memory.get(unitId);
      if (faults.silent.has(unitId)) return undefined;
      if (!unit)
        return unknownUnit === 'silent' ? undefined : exceptionPdu(functionCode, GATEWAY_TARGET_FAILED);
      const forced = faults.exception.get(unitId);
      if (forced !== undefined) return exceptionPdu(functionCode, forced);
      const busyFor = faults.busy.get(unitId) ?? 0;
      if (busyFor > 0) {
        faults.busy.set(unitId, busyFor - 1);
        return exceptionPdu(functionCode, 0x06);
      }
      const response = read(unit, functionCode, pdu);
      if (!(response.readUInt8(0) & 0x80)) {
        const counts = served.get(unitId) ?? { requests: 0, items: 0 };
        counts.requests += 1;
        counts.items += pdu.readUInt16BE(3);
        served.set(unitId, counts);
      }
      return response;
    },
  };
}
