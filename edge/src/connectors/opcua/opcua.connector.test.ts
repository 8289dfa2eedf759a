import { OpcuaConnector } from '@unison/config';
import {
  SIMULATOR_NAMESPACE_URI,
  type Simulator,
  startSimulator,
  startTcpProxy,
  type TcpProxy,
} from '@unison/simulator';
import { freePort, tempDir } from '@unison/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { opcuaConnector } from './opcua.connector.ts';
import { capturingLog, collect } from './opcua.testing.ts';

const simulatorPki = tempDir('unison-opcua-sim-');
const edgePki = tempDir('unison-opcua-edge-');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => {
  simulatorPki.remove();
  edgePki.remove();
});

const nodeId = (variable: string, machine = 'press-1') =>
  `nsu=${SIMULATOR_NAMESPACE_URI};s=${machine}.${variable}`;

async function simulate(port = 0, extraNamespaces: string[] = []): Promise<Simulator> {
  const sim = await startSimulator({
    tickMs: 0,
    modbus: false,
    opcua: { port, pkiDir: simulatorPki.path, extraNamespaces },
  });
  cleanups.push(() => sim.stop());
  return sim;
}

const connectorConfig = (endpoint: string, tags: object[], extra: object = {}) =>
  OpcuaConnector.parse({
    type: 'opcua',
    id: 'presses',
    endpoint,
    samplingIntervalMs: 20,
    reconnect: { initialDelayMs: 50, maxDelayMs: 300 },
    tags,
    ...extra,
  });

describe('opcua connector', () => {
  it('waits for a server that is down, then re-resolves nsu= ids after a restart with namespaces in a new order', async () => {
    const port = await freePort();
    const endpoint = `opc.tcp://127.0.0.1:${port}`;
    const { log, lines } = capturingLog();
    const connector = opcuaConnector(
      connectorConfig(endpoint, [
        { machine: 'press-1', tag: 'speed', nodeId: nodeId('Speed') },
        { machine: 'press-1', tag: 'missing', nodeId: nodeId('Missing') },
      ]),
      { log, pkiDir: edgePki.path },
    );
    const { received, stop, latest, until } = await collect(connector);
    cleanups.push(stop);

    await until('disconnected', () => connector.status().state === 'disconnected');
    expect(received.map((s) => s.quality)).toEqual(['bad', 'bad']);

    let sim = await simulate(port);
    sim.set('press-1', { speed: 11 });
    await until('first value', () => latest('speed')?.value === 11);
    expect(latest('speed')?.quality).toBe('good');
    expect(latest('missing')?.quality).toBe('bad');
    expect(
      lines.some((line) => line.msg === 'opcua tag not monitored' && line.status === 'BadNodeIdUnknown'),
    ).toBe(true);

    await sim.stop();
    await until('bad after the server went away', () => latest('speed')?.quality === 'bad');

    sim = await simulate(port, ['urn:test:first', 'urn:test:second']);
    sim.set('press-1', { speed: 22 });
    await until('value after the restart', () => latest('speed')?.value === 22);
    expect(latest('speed')?.quality).toBe('good');
    expect(connector.status().state).toBe('connected');
  });

  it('subscribes through monitored-item groups with per-tag sampling, queue size and deadbands', async () => {
    const sim = await simulate();
    sim.set('press-1', { speed: 30, temperature: 50 });
    const { log, lines } = capturingLog();
    const connector = opcuaConnector(
      connectorConfig(sim.endpoints.opcua ?? '', [
        {
          machine: 'press-1',
          tag: 'speed',
          nodeId: nodeId('Speed'),
          deadband: { type: 'percent', value: 10 },
        },
        {
          machine: 'press-1',
          tag: 'temperature',
          nodeId: nodeId('Temperature'),
          deadband: { type: 'absolute', value: 5 },
        },
        // Percent needs an EURange, which a String variable has not: refused by the server, reported bad.
        {
          machine: 'press-1',
          tag: 'state',
          nodeId: nodeId('State'),
          deadband: { type: 'percent', value: 5 },
        },
        {
          machine: 'press-1',
          tag: 'good',
          nodeId: nodeId('GoodCount'),
          samplingIntervalMs: 50,
          queueSize: 1,
        },
        { machine: 'press-2', tag: 'speed', nodeId: nodeId('Speed', 'press-2') },
      ]),
      { log, pkiDir: edgePki.path },
    );
    const { received, stop, latest, until } = await collect(connector);
    cleanups.push(stop);
    await until(
      'first values',
      () => latest('temperature')?.value === 50 && latest('good')?.quality === 'good',
    );
    expect(lines.find((line) => line.msg === 'opcua subscribed')).toMatchObject({ items: 5, groups: 5 });
    expect(latest('state')?.quality).toBe('bad');
    expect(lines.find((line) => line.msg === 'opcua tag not monitored')?.nodeId).toBe(nodeId('State'));

    // EURange 0..100: 10 % is 10 units. Temperature: 5 °C absolute. Changes inside a deadband never arrive.
    sim.set('press-1', { speed: 80, temperature: 53 });
    await until('speed past the percent deadband', () => latest('speed', 'press-1')?.value === 80);
    sim.set('press-1', { speed: 85 });
    sim.set('press-1', { speed: 95, temperature: 56 });
    sim.set('press-2', { speed: 31 });
    await until(
      'changes past the deadbands',
      () => latest('speed', 'press-1')?.value === 95 && latest('temperature')?.value === 56,
    );
    await until('an undamped change', () => latest('speed', 'press-2')?.value === 31);
    const values = (machine: string, tag: string) =>
      received.filter((s) => s.machine === machine && s.tag === tag).map((s) => s.value);
    expect(values('press-1', 'speed')).toEqual([30, 80, 95]);
    expect(values('press-1', 'temperature')).toEqual([50, 56]);
  });

  it('maps status codes to quality: Good, Uncertain and Bad families', async () => {
    const sim = await simulate();
    const connector = opcuaConnector(
      connectorConfig(sim.endpoints.opcua ?? '', [
        { machine: 'press-1', tag: 'speed', nodeId: nodeId('Speed') },
      ]),
      { log: capturingLog().log, pkiDir: edgePki.path },
    );
    const { stop, latest, until } = await collect(connector);
    cleanups.push(stop);
    await until('good first', () => latest('speed')?.quality === 'good');
    sim.set('press-1', { speed: 12 });
    sim.setOpcuaStatus('press-1', 'Speed', 'UncertainLastUsableValue');
    await until('uncertain', () => latest('speed')?.quality === 'uncertain');
    expect(latest('speed')?.value).toBe(12);
    sim.setOpcuaStatus('press-1', 'Speed', 'BadSensorFailure');
    await until('bad', () => latest('speed')?.quality === 'bad');
    expect(latest('speed')?.value).toBeNull();
    sim.setOpcuaStatus('press-1', 'Speed', 'GoodClamped');
    await until('good again', () => latest('speed')?.quality === 'good');
    expect(latest('speed')?.value).toBe(12);
  });

  it('detects a server that stops answering on an open socket and reconnects', async () => {
    const sim = await simulate();
    const upstream = new URL((sim.endpoints.opcua ?? '').replace(/^opc\.tcp:/, 'http:'));
    const proxy: TcpProxy = await startTcpProxy({ host: '127.0.0.1', port: Number(upstream.port) });
    cleanups.push(() => proxy.stop());
    const { log, lines } = capturingLog();
    const connector = opcuaConnector(
      connectorConfig(
        `opc.tcp://127.0.0.1:${proxy.port}`,
        [{ machine: 'press-1', tag: 'speed', nodeId: nodeId('Speed') }],
        {
          keepAliveTimeoutMs: 600,
        },
      ),
      { log, pkiDir: edgePki.path },
    );
    const { stop, latest, until } = await collect(connector);
    cleanups.push(stop);
    await until('good first', () => latest('speed')?.quality === 'good');

    proxy.freeze();
    const frozenAt = Date.now();
    await until('bad once the keep-alives stop', () => latest('speed')?.quality === 'bad', 3000);
    expect(Date.now() - frozenAt).toBeLessThan(2000);
    expect(lines.some((line) => String(line.err).startsWith('no keep-alive from the server'))).toBe(true);

    sim.set('press-1', { speed: 66 });
    await until('a value over the new connection', () => latest('speed')?.value === 66);
    expect(connector.status().state).toBe('connected');
  });
});
