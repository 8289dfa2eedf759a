import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MachineValues, type Simulator, startSimulator } from '../src/index.ts';
import { closeModbusClient, connectModbusClient } from './modbus.client.ts';

const uint32 = (high = 0, low = 0) => high * 0x10000 + low;
function float32(high = 0, low = 0): number {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt16BE(high, 0);
  buffer.writeUInt16BE(low, 2);
  return buffer.readFloatBE(0);
}
const STATE_CODES = { idle: 0, running: 1, down: 2 };

describe('Modbus TCP server', () => {
  let sim: Simulator;
  let client: Awaited<ReturnType<typeof connectModbusClient>>;

  async function readUnit(unitId: number) {
    client.setID(unitId);
    const holding = (await client.readHoldingRegisters(0, 6)).data;
    const input = (await client.readInputRegisters(0, 4)).data;
    return {
      stateCode: holding[0],
      speed: holding[1],
      good: uint32(holding[2], holding[3]),
      scrap: uint32(holding[4], holding[5]),
      temperature: float32(input[0], input[1]),
      powerKw: float32(input[2], input[3]),
    };
  }
  const expectMatches = (read: Awaited<ReturnType<typeof readUnit>>, values: MachineValues | undefined) => {
    if (!values) throw new Error('no values');
    expect(read.stateCode).toBe(STATE_CODES[values.state]);
    expect(read.speed).toBe(Math.round(values.speed));
    expect(read.good).toBe(values.good);
    expect(read.scrap).toBe(values.scrap);
    expect(read.temperature).toBeCloseTo(values.temperature, 3);
  };

  beforeAll(async () => {
    sim = await startSimulator({ tickMs: 0, opcua: false, modbus: { port: 0 } });
    const { host, port } = sim.endpoints.modbus ?? { host: '', port: 0 };
    client = await connectModbusClient(host, port);
  });

  afterAll(async () => {
    if (client) await closeModbusClient(client);
    await sim?.stop();
  });

  it('reports the bound port', () => {
    expect(sim.endpoints.modbus?.host).toBe('127.0.0.1');
    expect(sim.endpoints.modbus?.port).toBeGreaterThan(0);
  });

  it('serves cnc-1 at unit 1 and cnc-2 at unit 2', async () => {
    sim.step(20);
    const machines = sim.machines();
    expectMatches(await readUnit(1), machines['cnc-1']);
    expectMatches(await readUnit(2), machines['cnc-2']);
  });

  it('shows set() right away, including 32-bit counters and power', async () => {
    sim.set('cnc-2', { state: 'running', speed: 7200, good: 70_000, scrap: 65_537, temperature: 41.25 });
    sim.set('cnc-1', { state: 'down' });
    const cnc2 = await readUnit(2);
    expect(cnc2).toMatchObject({
      stateCode: 1,
      speed: 7200,
      good: 70_000,
      scrap: 65_537,
      temperature: 41.25,
    });
    expect(cnc2.powerKw).toBeGreaterThan(5);
    const cnc1 = await readUnit(1);
    expect(cnc1).toMatchObject({ stateCode: 2, speed: 0 });
    expect(cnc1.powerKw).toBeLessThan(1);
  });

  it('does not answer unit 9 as if it were unit 1', async () => {
    client.setID(9);
    // Exception 0x0B: gateway target device failed to respond.
    await expect(client.readHoldingRegisters(0, 6)).rejects.toMatchObject({ modbusCode: 0x0b });
    expect((await readUnit(1)).stateCode).toBe(STATE_CODES[sim.machines()['cnc-1']?.state ?? 'idle']);
  });

  it('refuses registers outside the map', async () => {
    client.setID(1);
    await expect(client.readHoldingRegisters(4, 4)).rejects.toMatchObject({ modbusCode: 0x02 });
    await expect(client.readInputRegisters(0, 5)).rejects.toMatchObject({ modbusCode: 0x02 });
  });

  it('applies holding register writes to the model', async () => {
    client.setID(1);
    await client.writeRegister(0, STATE_CODES.idle);
    expect(sim.machines()['cnc-1']?.state).toBe('idle');
    await client.writeRegisters(2, [0x0001, 0x0002]);
    expect(sim.machines()['cnc-1']?.good).toBe(0x10002);
    await expect(client.writeRegister(0, 7)).rejects.toMatchObject({ modbusCode: 0x03 });
    expect(sim.machines()['cnc-1']?.state).toBe('idle');
  });
});
