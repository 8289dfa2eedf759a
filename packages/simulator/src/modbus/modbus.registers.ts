import type { MachineState, MachineValues } from '../plant/machines.ts';

export const HOLDING_REGISTER_COUNT = 6;
export const INPUT_REGISTER_COUNT = 4;

const STATE_CODES: Record<MachineState, number> = { idle: 0, running: 1, down: 2 };
const STATES_BY_CODE: readonly MachineState[] = ['idle', 'running', 'down'];

/** A Modbus exception the server sends back instead of data. */
export class ModbusException extends Error {
  readonly modbusErrorCode: number;
  constructor(modbusErrorCode: number, message: string) {
    super(message);
    this.modbusErrorCode = modbusErrorCode;
  }
}

export const ILLEGAL_DATA_ADDRESS = 0x02;
export const ILLEGAL_DATA_VALUE = 0x03;
export const GATEWAY_TARGET_FAILED = 0x0b;

const highWord = (value: number) => Math.floor(value / 0x10000) & 0xffff;
const lowWord = (value: number) => value & 0xffff;
const uint32 = (high: number, low: number) => high * 0x10000 + low;

function float32Words(value: number): [number, number] {
  const buffer = Buffer.alloc(4);
  buffer.writeFloatBE(value);
  return [buffer.readUInt16BE(0), buffer.readUInt16BE(2)];
}

/** Power draw follows the spindle: a little when stopped, most of it in the cut. */
export function powerKw(values: MachineValues, nominalSpeed: number): number {
  if (values.state === 'down') return 0.2;
  if (values.state === 'idle') return 1.5;
  return 4 + 8 * (values.speed / nominalSpeed);
}

/** Holding 0 state code, 1 speed (uint16), 2-3 good, 4-5 scrap (uint32, high word first). */
export function holdingRegisters(values: MachineValues): number[] {
  return [
    STATE_CODES[values.state],
    Math.min(0xffff, Math.round(values.speed)),
    highWord(values.good),
    lowWord(values.good),
    highWord(values.scrap),
    lowWord(values.scrap),
  ];
}

/** Input 0-1 temperature, 2-3 power kW (float32, high word first). */
export function inputRegisters(values: MachineValues, nominalSpeed: number): number[] {
  return [...float32Words(values.temperature), ...float32Words(powerKw(values, nominalSpeed))];
}

export function registerSlice(registers: number[], address: number, length: number): number[] {
  if (address < 0 || length < 1 || address + length > registers.length) {
    throw new ModbusException(
      ILLEGAL_DATA_ADDRESS,
      `registers ${address}..${address + length - 1} do not exist`,
    );
  }
  return registers.slice(address, address + length);
}

/** The machine values a client means by writing `words` at `address` of the holding registers. */
export function valuesFromHoldingWrite(
  current: MachineValues,
  address: number,
  words: number[],
): Partial<MachineValues> {
  const registers = holdingRegisters(current);
  registerSlice(registers, address, words.length);
  registers.splice(address, words.length, ...words);
  const [stateCode = 0, speed = 0, goodHigh = 0, goodLow = 0, scrapHigh = 0, scrapLow = 0] = registers;
  const state = STATES_BY_CODE[stateCode];
  if (!state) throw new ModbusException(ILLEGAL_DATA_VALUE, `state code ${stateCode} is not 0, 1 or 2`);
  const touches = (from: number, to: number) => address <= to && address + words.length - 1 >= from;
  const changes: Partial<MachineValues> = {};
  if (touches(0, 0)) changes.state = state;
  if (touches(1, 1)) changes.speed = speed;
  if (touches(2, 3)) changes.good = uint32(goodHigh, goodLow);
  if (touches(4, 5)) changes.scrap = uint32(scrapHigh, scrapLow);
  return changes;
}
