export type MachineState = 'running' | 'idle' | 'down';

export const MACHINE_STATES: readonly MachineState[] = ['running', 'idle', 'down'];

export interface MachineValues {
  state: MachineState;
  speed: number;
  good: number;
  scrap: number;
  temperature: number;
}

export type MachineKind = 'press' | 'cnc' | 'filler';

/** How one kind of machine behaves; speeds are in the unit its protocol reports. */
export interface MachineProfile {
  kind: MachineKind;
  nominalSpeed: number;
  /** Parts made per minute at nominal speed. */
  partsPerMinute: number;
  scrapRate: number;
  runningTemperature: number;
  idleTemperature: number;
}

const pressProfile = (cycleTimeS: number): MachineProfile => ({
  kind: 'press',
  nominalSpeed: 60 / cycleTimeS,
  partsPerMinute: 60 / cycleTimeS,
  scrapRate: 0.02,
  runningTemperature: 46,
  idleTemperature: 27,
});

const cncProfile: MachineProfile = {
  kind: 'cnc',
  nominalSpeed: 8000,
  partsPerMinute: 60 / 45,
  scrapRate: 0.01,
  runningTemperature: 38,
  idleTemperature: 24,
};

const fillerProfile: MachineProfile = {
  kind: 'filler',
  nominalSpeed: 120,
  partsPerMinute: 120,
  scrapRate: 0.005,
  runningTemperature: 31,
  idleTemperature: 22,
};

export const OPCUA_MACHINES = ['press-1', 'press-2', 'press-3'] as const;

export const MODBUS_MACHINES = [
  { machine: 'cnc-1', unitId: 1 },
  { machine: 'cnc-2', unitId: 2 },
] as const;

export const MQTT_MACHINES = ['filler-1', 'filler-2'] as const;

/** Every simulated machine in a fixed order; the model draws random numbers in this order. */
export const MACHINE_PROFILES: Readonly<Record<string, MachineProfile>> = {
  'press-1': pressProfile(2),
  'press-2': pressProfile(2),
  'press-3': pressProfile(2.5),
  'cnc-1': cncProfile,
  'cnc-2': cncProfile,
  'filler-1': fillerProfile,
  'filler-2': fillerProfile,
};
