import { describe, expect, it } from 'vitest';
import { formatIssues, PlantConfig } from '../src/index.ts';

const base = {
  edge: { name: 'edge-1', plant: 'plant-1' },
  cloud: { url: 'http://127.0.0.1:8080' },
  machines: [{ id: 'press-1', name: 'Press 1' }],
};
const station = {
  id: 'goods-in',
  name: 'Goods in',
  scanner: { profile: 'generic-cr-aim', path: '/dev/ttyUSB0' },
  printer: 'zebra',
  routes: [{ action: 'receive-lot', when: { kind: 'gs1', ais: ['01', '10'] }, printLabel: 'lot-label' }],
};
const problems = (config: unknown) => {
  const parsed = PlantConfig.safeParse(config);
  return parsed.success ? [] : formatIssues(parsed.error);
};

describe('plant config: devices', () => {
  it('takes a printer transport as tcp://host:port or serial:/path', () => {
    const config = PlantConfig.parse({
      ...base,
      devices: {
        printers: [
          { id: 'zebra', model: 'ZT411', transport: 'tcp://127.0.0.1:9101' },
          { id: 'desk', model: 'GK420d', transport: 'serial:/dev/ttyS0' },
        ],
        stations: [station],
      },
    });
    expect(config.devices?.printers.map((p) => p.transport)).toEqual([
      { type: 'tcp', host: '127.0.0.1', port: 9101 },
      expect.objectContaining({ type: 'serial', path: '/dev/ttyS0' }),
    ]);
    expect(config.devices?.scannerProfiles).toBe('firmware-config/scanners');
  });

  it('names a station that refers to an unknown printer or machine', () => {
    expect(
      problems({ ...base, devices: { printers: [], stations: [{ ...station, machine: 'press-9' }] } }),
    ).toEqual([
      'devices.stations[0].printer: unknown printer "zebra" (not under devices.printers:)',
      'devices.stations[0].machine: unknown machine "press-9" (not under machines:)',
    ]);
  });

  it('refuses a machine model that cannot work, with the place', () => {
    const machine = {
      id: 'press-1',
      name: 'Press 1',
      state: { rules: [{ state: 'running', when: { tag: 'state', op: 'in', value: 'running' } }] },
      counters: { good: { tag: 'good', bits: 24 } },
    };
    expect(problems({ ...base, machines: [machine] })).toEqual([
      'machines[0].state.rules[0].when.value: op "in" takes a list of values',
      'machines[0].counters.good.bits: must be 16 or 32',
    ]);
  });
});
