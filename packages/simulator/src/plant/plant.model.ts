import { MACHINE_PROFILES, MACHINE_STATES, type MachineProfile, type MachineValues } from './machines.ts';
import { createPrng } from './prng.ts';

/** A deterministic plant: one tick is one second of plant time, whatever the wall clock does. */
export interface PlantModel {
  readonly machineIds: readonly string[];
  snapshot(): Record<string, MachineValues>;
  get(machine: string): MachineValues;
  /** Overrides values; returns the machine's new values. Throws on an unknown machine or a bad value. */
  set(machine: string, values: Partial<MachineValues>): MachineValues;
  step(ticks?: number): void;
}

const UINT32_RANGE = 2 ** 32;

/** Per-second transition probabilities; a running machine stops now and then and comes back. */
const TRANSITIONS = {
  runningToIdle: 0.005,
  runningToDown: 0.002,
  idleToRunning: 0.03,
  downToRunning: 0.01,
};

interface MachineSlot {
  profile: MachineProfile;
  values: MachineValues;
  partProgress: number;
}

const roundTo = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

export function createPlantModel(seed = 42): PlantModel {
  const random = createPrng(seed);
  const noise = () => random() * 2 - 1;
  const slots = new Map<string, MachineSlot>();
  for (const [machine, profile] of Object.entries(MACHINE_PROFILES)) {
    slots.set(machine, {
      profile,
      values: {
        state: 'running',
        speed: roundTo(profile.nominalSpeed, 1),
        good: Math.floor(random() * 10_000),
        scrap: Math.floor(random() * 100),
        temperature: roundTo(profile.runningTemperature + noise(), 2),
      },
      partProgress: 0,
    });
  }

  const slotOf = (machine: string): MachineSlot => {
    const slot = slots.get(machine);
    if (!slot) throw new Error(`unknown machine '${machine}'`);
    return slot;
  };

  const nextState = (state: MachineValues['state']): MachineValues['state'] => {
    const draw = random();
    if (state === 'running') {
      if (draw < TRANSITIONS.runningToDown) return 'down';
      if (draw < TRANSITIONS.runningToDown + TRANSITIONS.runningToIdle) return 'idle';
      return 'running';
    }
    if (state === 'idle') return draw < TRANSITIONS.idleToRunning ? 'running' : 'idle';
    return draw < TRANSITIONS.downToRunning ? 'running' : 'down';
  };

  const tick = (slot: MachineSlot) => {
    const { profile, values } = slot;
    const state = nextState(values.state);
    if (state === 'running') {
      const base = values.state === 'running' ? values.speed : profile.nominalSpeed * 0.9;
      const drifted = base + (profile.nominalSpeed - base) * 0.1 + noise() * 0.01 * profile.nominalSpeed;
      values.speed = roundTo(Math.max(0, drifted), 1);
      slot.partProgress += (profile.partsPerMinute / 60) * (values.speed / profile.nominalSpeed);
      while (slot.partProgress >= 1) {
        slot.partProgress -= 1;
        if (random() < profile.scrapRate) values.scrap = (values.scrap + 1) % UINT32_RANGE;
        else values.good = (values.good + 1) % UINT32_RANGE;
      }
    } else {
      values.speed = 0;
    }
    values.state = state;
    const target = state === 'running' ? profile.runningTemperature : profile.idleTemperature;
    values.temperature = roundTo(
      values.temperature + (target - values.temperature) * 0.02 + noise() * 0.1,
      2,
    );
  };

  return {
    machineIds: [...slots.keys()],
    snapshot: () => Object.fromEntries([...slots].map(([machine, slot]) => [machine, { ...slot.values }])),
    get: (machine) => ({ ...slotOf(machine).values }),
    set(machine, changes) {
      const slot = slotOf(machine);
      const next = { ...slot.values, ...validated(changes) };
      if (changes.state !== undefined && changes.speed === undefined) {
        if (next.state !== 'running') next.speed = 0;
        else if (slot.values.state !== 'running') next.speed = roundTo(slot.profile.nominalSpeed, 1);
      }
      slot.values = next;
      return { ...next };
    },
    step(ticks = 1) {
      if (!Number.isInteger(ticks) || ticks < 0)
        throw new Error(`ticks must be a whole number ≥ 0, got ${ticks}`);
      for (let i = 0; i < ticks; i++) for (const slot of slots.values()) tick(slot);
    },
  };
}

function validated(changes: Partial<MachineValues>): Partial<MachineValues> {
  const { state, speed, good, scrap, temperature } = changes;
  if (state !== undefined && !MACHINE_STATES.includes(state)) {
    throw new Error(`state must be one of ${MACHINE_STATES.join(', ')}, got '${state}'`);
  }
  if (speed !== undefined && !(Number.isFinite(speed) && speed >= 0)) {
    throw new Error(`speed must be a finite number ≥ 0, got ${speed}`);
  }
  for (const [name, counter] of [
    ['good', good],
    ['scrap', scrap],
  ] as const) {
    if (counter !== undefined && !(Number.isInteger(counter) && counter >= 0 && counter < UINT32_RANGE)) {
      throw new Error(`${name} must be a 32-bit unsigned integer, got ${counter}`);
    }
  }
  if (temperature !== undefined && !Number.isFinite(temperature)) {
    throw new Error(`temperature must be a finite number, got ${temperature}`);
  }
  const known: Partial<MachineValues> = { state, speed, good, scrap, temperature };
  return Object.fromEntries(Object.entries(known).filter(([, value]) => value !== undefined));
}
