import { type Simulator, startSimulator } from '@unison/simulator';
import pino from 'pino';
import { describeConnector } from '../connector.contract.ts';
import { modbusConnector } from './modbus.connector.ts';
import { modbusConfig } from './modbus.test-tags.ts';

const log = pino({ level: 'silent' });
const simulate = (port: number) => startSimulator({ tickMs: 0, opcua: false, modbus: { port } });

describeConnector('modbus', async () => {
  let sim: Simulator | undefined = await simulate(0);
  const port = sim.endpoints.modbus?.port ?? 0;
  const tags = ['state', 'speed', 'good', 'temperature'].map((tag) => ({ machine: 'cnc-1', tag }));
  const connector = modbusConnector(
    modbusConfig({
      type: 'modbus',
      id: 'mills',
      host: '127.0.0.1',
      port,
      unitId: 1,
      pollIntervalMs: 20,
      timeoutMs: 200,
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
      tags: [
        { machine: 'cnc-1', tag: 'state', table: 'holding', address: 0, dataType: 'uint16' },
        { machine: 'cnc-1', tag: 'speed', table: 'holding', address: 1, dataType: 'uint16' },
        { machine: 'cnc-1', tag: 'good', table: 'holding', address: 2, dataType: 'uint32' },
        { machine: 'cnc-1', tag: 'temperature', table: 'input', address: 0, dataType: 'float32' },
      ],
    }),
    { log },
  );
  return {
    connector,
    tags,
    badWithinMs: 500,
    async changeValue() {
      sim?.set('cnc-1', { speed: 1234 });
      return { machine: 'cnc-1', tag: 'speed', value: 1234 };
    },
    async stopServer() {
      await sim?.stop();
      sim = undefined;
    },
    async startServer() {
      sim = await simulate(port);
    },
    close: async () => sim?.stop(),
  };
});
