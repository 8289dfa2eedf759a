import { join, resolve } from 'node:path';
import { loadPlantConfig } from '@unison/config';
import { startSimulator } from '@unison/simulator';
import { freePort, tempDir, waitFor } from '@unison/testkit';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startEdge } from '../src/index.ts';
import { startFakeCloud } from './fake.cloud.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('the demo plant', () => {
  it('reads every simulated machine over OPC UA, Modbus and MQTT and uploads it', async () => {
    const dir = tempDir('unison-edge-demo-');
    cleanups.push(() => dir.remove());
    const [opcuaPort, modbusPort, brokerPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;
    const simulator = await startSimulator({
      seed: 7,
      tickMs: 100,
      opcua: { port: opcuaPort },
      modbus: { port: modbusPort },
      mqtt: { url: brokerUrl, publishIntervalMs: 100 },
    });
    cleanups.push(() => simulator.stop());
    const cloud = await startFakeCloud();
    cleanups.push(() => cloud.stop());

    const config = loadPlantConfig(resolve(import.meta.dirname, '../../firmware-config/plants/demo.yaml'), {
      EDGE_PORT: '0',
      EDGE_BROKER_PORT: String(brokerPort),
      EDGE_DATA_DIR: join(dir.path, 'data'),
      CLOUD_URL: cloud.url,
      EDGE_ENROLLMENT_CODE: 'enroll-code-123',
      SIM_OPCUA_URL: simulator.endpoints.opcua ?? `opc.tcp://127.0.0.1:${opcuaPort}`,
      SIM_MODBUS_PORT: String(modbusPort),
      SIM_MQTT_URL: brokerUrl,
    });
    config.edge.http.host = '127.0.0.1';
    config.edge.broker = { host: '127.0.0.1', port: brokerPort, users: [] };
    const edge = await startEdge(config, { cloudRetry: { initialDelayMs: 50, maxDelayMs: 200 } });
    cleanups.push(() => edge.stop());

    const machines = config.machines.map((m) => m.id);
    const missing = await waitFor(
      () => {
        const good = new Set(cloud.stored.filter((r) => r.quality === 'good').map((r) => r.machine));
        const left = machines.filter((m) => !good.has(m));
        return left.length === 0 ? left : undefined;
      },
      { timeoutMs: 20_000, what: 'good samples from every machine in the cloud' },
    );
    expect(missing).toEqual([]);
    expect(edge.status().connectors.every((c) => c.status === 'connected')).toBe(true);

    // Local consumers read the same values from the Unified Namespace on the edge's broker.
    const consumer = await mqtt.connectAsync(brokerUrl);
    cleanups.push(() => consumer.endAsync());
    const seen = new Map<string, { value: unknown; quality: string }>();
    consumer.on('message', (topic, payload) => seen.set(topic, JSON.parse(payload.toString())));
    await consumer.subscribeAsync('unison/demo-plant/#');
    const press = await waitFor(() => seen.get('unison/demo-plant/stamping/line-1/press-1/speed'), {
      what: 'press-1 speed in the Unified Namespace',
    });
    expect(press.quality).toBe('good');
    expect(typeof press.value).toBe('number');

    // Malformed MQTT messages are refused, counted and kept for inspection over HTTP.
    await consumer.publishAsync('sim/filler-1/status', 'not json');
    const rejected = await waitFor(async () => {
      const body = (await (await fetch(`${edge.url}/api/connectors/fillers/rejected`)).json()) as {
        items: { topic: string; reason: string }[];
      };
      return body.items.length > 0 ? body.items : undefined;
    });
    expect(rejected[0]).toMatchObject({ topic: 'sim/filler-1/status' });
    expect((await fetch(`${edge.url}/api/connectors/nope/rejected`)).status).toBe(404);
  });
});
