import { createServer } from 'node:net';
import { freePort, tempDir, waitFor } from '@unison/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlantModel, startSimulator } from '../src/index.ts';

describe('startSimulator', () => {
  const pki = tempDir('unison-sim-lifecycle-');
  afterAll(() => pki.remove());

  it('stops everything within 2 s, and stop() is idempotent', async () => {
    const unreachableBroker = `mqtt://127.0.0.1:${await freePort()}`;
    const sim = await startSimulator({
      tickMs: 10,
      opcua: { port: 0, pkiDir: pki.path },
      modbus: { port: 0 },
      mqtt: { url: unreachableBroker, publishIntervalMs: 50 },
    });
    expect(sim.endpoints.opcua).toBeDefined();
    expect(sim.endpoints.modbus).toBeDefined();
    expect(sim.endpoints.mqtt).toEqual({ url: unreachableBroker, topicPrefix: 'sim' });
    const first = JSON.stringify(sim.machines());
    await waitFor(() => (JSON.stringify(sim.machines()) !== first ? true : undefined), {
      what: 'an automatic tick',
    });
    const startedAt = Date.now();
    await Promise.all([sim.stop(), sim.stop()]);
    await sim.stop();
    expect(Date.now() - startedAt).toBeLessThan(2000);
  });

  it('follows the pure model when driven by step()', async () => {
    const sim = await startSimulator({ seed: 9, tickMs: 0, opcua: false, modbus: false });
    const model = createPlantModel(9);
    sim.step(100);
    model.step(100);
    expect(sim.machines()).toEqual(model.snapshot());
    expect(() => sim.set('nope', { speed: 1 })).toThrow(/unknown machine/);
    await sim.stop();
  });

  it('rejects a bad topic prefix', async () => {
    await expect(
      startSimulator({
        opcua: false,
        modbus: false,
        mqtt: { url: 'mqtt://127.0.0.1:1', topicPrefix: 'a/b' },
      }),
    ).rejects.toThrow(/topic prefix/);
  });

  it('fails to start when a port is taken, and leaves nothing running', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = address && typeof address === 'object' ? address.port : 0;
    try {
      await expect(startSimulator({ tickMs: 0, opcua: false, modbus: { port } })).rejects.toThrow(
        /EADDRINUSE/,
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
