import { join } from 'node:path';
import { PlantConfig } from '@unison/config';
import { type Simulator, startSimulator } from '@unison/simulator';
import { freePort, tempDir, waitFor } from '@unison/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edge, startEdge } from '../edge.ts';

interface EventRow {
  type: string;
  machine: string;
  ts_ms: number;
  duration_ms: number | null;
  payload: string;
}

const dir = tempDir('unison-machine-edge-');
let sim: Simulator;
let edge: Edge;
let db: Database.Database;

beforeAll(async () => {
  sim = await startSimulator({ tickMs: 0, opcua: false, modbus: { port: 0 }, mqtt: false });
  // The counter starts just below the top of its 32-bit register, to roll over during the test.
  sim.set('cnc-1', { state: 'idle', good: 0xfffffffe, scrap: 0, temperature: 40 });
  const config = PlantConfig.parse({
    edge: {
      name: 'machine-edge',
      plant: 'plant-1',
      dataDir: join(dir.path, 'data'),
      http: { host: '127.0.0.1', port: 0 },
    },
    cloud: { url: `http://127.0.0.1:${await freePort()}` },
    machines: [
      {
        id: 'cnc-1',
        name: 'CNC 1',
        idealCycleTimeS: 45,
        state: {
          rules: [
            { state: 'running', when: { tag: 'state', op: 'eq', value: 1 } },
            { state: 'down', when: { tag: 'state', op: 'eq', value: 2 } },
          ],
          default: 'idle',
        },
        counters: { good: { tag: 'good', bits: 32 }, scrap: { tag: 'scrap', bits: 32 } },
        report: { deadband: { temperature: { absolute: 0.5 } } },
      },
    ],
    connectors: [
      {
        type: 'modbus',
        id: 'mills',
        host: sim.endpoints.modbus!.host,
        port: sim.endpoints.modbus!.port,
        unitId: 1,
        pollIntervalMs: 10,
        tags: [
          { machine: 'cnc-1', tag: 'state', table: 'holding', address: 0, dataType: 'uint16' },
          { machine: 'cnc-1', tag: 'good', table: 'holding', address: 2, dataType: 'uint32' },
          { machine: 'cnc-1', tag: 'scrap', table: 'holding', address: 4, dataType: 'uint32' },
          { machine: 'cnc-1', tag: 'temperature', table: 'input', address: 0, dataType: 'float32' },
        ],
      },
    ],
  });
  edge = await startEdge(config);
  db = new Database(join(dir.path, 'data', 'edge.db'), { readonly: true });
});

afterAll(async () => {
  db?.close();
  await edge?.stop();
  await sim?.stop();
  dir.remove();
});

const cnc = () => edge.status().machines.find((m) => m.machine === 'cnc-1')!;
const inState = (state: string) =>
  waitFor(() => (cnc().state === state ? true : undefined), { intervalMs: 5, what: `cnc-1 ${state}` });
const events = (type: string) =>
  (db.prepare('SELECT * FROM events WHERE type = ? ORDER BY ts_ms').all(type) as EventRow[]).map((row) => ({
    ...row,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
  }));
const sampleRows = () => (db.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;

describe('the machine model in the edge', () => {
  it('turns state changes on the PLC into machine.state events with durations in the edge database', async () => {
    await inState('idle');
    sim.set('cnc-1', { state: 'running' });
    await inState('running');
    await new Promise((resolve) => setTimeout(resolve, 50));
    sim.set('cnc-1', { state: 'down' });
    await inState('down');
    sim.set('cnc-1', { state: 'idle' });
    await inState('idle');

    const states = await waitFor(() => {
      const rows = events('machine.state');
      return rows.length >= 3 ? rows : undefined;
    });
    expect(states.map((e) => [e.payload.state, e.payload.nextState])).toEqual([
      ['idle', 'running'],
      ['running', 'down'],
      ['down', 'idle'],
    ]);
    expect(states[1]!.duration_ms).toBeGreaterThanOrEqual(40);
    for (const event of states) {
      expect(event.machine).toBe('cnc-1');
      expect(event.duration_ms).toBe((event.payload.endedMs as number) - (event.payload.startedMs as number));
    }
  });

  it('counts a 32-bit rollover and reports a PLC reset', async () => {
    sim.set('cnc-1', { good: 0xffffffff });
    await waitFor(() => (cnc().good >= 1 ? true : undefined), { intervalMs: 5 });
    sim.set('cnc-1', { good: 0 });
    await waitFor(() => (cnc().good >= 2 ? true : undefined), { intervalMs: 5 });
    sim.set('cnc-1', { good: 3 });
    await waitFor(() => (cnc().good >= 5 ? true : undefined), { intervalMs: 5 });
    sim.set('cnc-1', { good: 0 });
    await waitFor(() => (cnc().resets >= 1 ? true : undefined), { intervalMs: 5 });

    expect(events('machine.count').map((e) => e.payload.good)).toEqual([1, 1, 3]);
    expect(events('machine.counter-reset')).toEqual([
      expect.objectContaining({ payload: { counter: 'good', tag: 'good', from: 3, to: 0 } }),
    ]);
    expect(cnc()).toMatchObject({ good: 5, resets: 1 });
  });

  it('stores a steady value and jitter within the deadband once, however fast it is polled', async () => {
    // The recorder writes every 100 ms: let the last test's samples land first.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const before = sampleRows();
    const seenBefore = edge.status().reportByException.suppressed;
    for (const temperature of [40.1, 39.8, 40.3, 40, 39.9]) {
      sim.set('cnc-1', { temperature });
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    // Many polls went by; the filter saw the jitter and kept none of it.
    expect(edge.status().reportByException.suppressed - seenBefore).toBeGreaterThanOrEqual(4);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(
      db.prepare('SELECT tag, value FROM samples ORDER BY ts_ms DESC LIMIT ?').all(sampleRows() - before),
    ).toEqual([]);

    sim.set('cnc-1', { temperature: 41 });
    await waitFor(() => (sampleRows() === before + 1 ? true : undefined), {
      what: 'the change beyond the band',
    });
  });
});
