import type { Server } from 'node:net';
import { type IServiceVector, ServerTCP } from 'modbus-serial';
import type { MachineValues } from '../plant/machines.ts';
import {
  GATEWAY_TARGET_FAILED,
  holdingRegisters,
  inputRegisters,
  ModbusException,
  registerSlice,
  valuesFromHoldingWrite,
} from './modbus.registers.ts';

export interface ModbusUnit {
  unitId: number;
  machine: string;
  nominalSpeed: number;
}

export interface PlantAccess {
  get(machine: string): MachineValues;
  set(machine: string, values: Partial<MachineValues>): void;
}

export interface ModbusServerOptions {
  host: string;
  port: number;
  units: readonly ModbusUnit[];
  plant: PlantAccess;
  log?: (line: string) => void;
}

/** Listens for every unit id, so a request for a unit it does not simulate gets an exception, not unit 1. */
const ANY_UNIT_ID = 255;

export async function startModbusServer({
  host,
  port,
  units,
  plant,
  log = () => {},
}: ModbusServerOptions): Promise<{ port: number; stop: () => Promise<void> }> {
  const unitOf = (unitId: number): ModbusUnit => {
    const unit = units.find((candidate) => candidate.unitId === unitId);
    if (!unit) throw new ModbusException(GATEWAY_TARGET_FAILED, `no unit ${unitId}`);
    return unit;
  };
  const holding = (unitId: number) => holdingRegisters(plant.get(unitOf(unitId).machine));
  const input = (unitId: number) => {
    const unit = unitOf(unitId);
    return inputRegisters(plant.get(unit.machine), unit.nominalSpeed);
  };
  const write = (address: number, words: number[], unitId: number) => {
    const { machine } = unitOf(unitId);
    const changes = valuesFromHoldingWrite(plant.get(machine), address, words);
    plant.set(machine, changes);
    log(`modbus: unit ${unitId} wrote ${words.length} register(s) at ${address}`);
  };

  const vector: IServiceVector = {
    getHoldingRegister: (address: number, unitId: number) =>
      registerSlice(holding(unitId), address, 1)[0] ?? 0,
    getMultipleHoldingRegisters: (address: number, length: number, unitId: number) =>
      registerSlice(holding(unitId), address, length),
    getInputRegister: (address: number, unitId: number) => registerSlice(input(unitId), address, 1)[0] ?? 0,
    getMultipleInputRegisters: (address: number, length: number, unitId: number) =>
      registerSlice(input(unitId), address, length),
    setRegister: (address: number, value: number, unitId: number) => write(address, [value], unitId),
    setRegisterArray: (address: number, values: number[], unitId: number) => write(address, values, unitId),
  };

  // ServerTCP replaces a numeric port 0 with 502; as a string it reaches net.listen unchanged.
  const listenPort = (port === 0 ? '0' : port) as number;
  const server = new ServerTCP(vector, { host, port: listenPort, unitID: ANY_UNIT_ID });
  await new Promise<void>((resolve, reject) => {
    server.once('initialized', () => resolve());
    server.once('serverError', (error) => reject(error ?? new Error('modbus server failed to listen')));
  });
  server.on('socketError', (error) => log(`modbus: client socket error: ${error?.message ?? error}`));
  server.on('error', (error) => log(`modbus: ${error?.message ?? error}`));

  const address = (server as unknown as { _server: Server })._server.address();
  const boundPort = address && typeof address === 'object' ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    port: boundPort,
    stop: () => {
      closing ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closing;
    },
  };
}
