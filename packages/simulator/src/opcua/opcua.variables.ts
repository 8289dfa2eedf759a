import { DataType } from 'node-opcua';
import type { MachineValues } from '../plant/machines.ts';

export const SIMULATOR_NAMESPACE_URI = 'urn:unison:simulator';

/** The variables of each machine: browse name, wire type, the value it shows and, for analog items, its EURange. */
export const OPCUA_VARIABLES = [
  { name: 'State', dataType: DataType.String, read: (values: MachineValues) => values.state },
  {
    name: 'Speed',
    dataType: DataType.Double,
    read: (values: MachineValues) => values.speed,
    euRange: { low: 0, high: 100 },
  },
  { name: 'GoodCount', dataType: DataType.UInt32, read: (values: MachineValues) => values.good },
  { name: 'ScrapCount', dataType: DataType.UInt32, read: (values: MachineValues) => values.scrap },
  {
    name: 'Temperature',
    dataType: DataType.Double,
    read: (values: MachineValues) => values.temperature,
    euRange: { low: 0, high: 200 },
  },
] as const;

export type OpcuaVariableName = (typeof OPCUA_VARIABLES)[number]['name'];
