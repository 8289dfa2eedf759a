import type { OpcuaConnectorConfig } from '@unison/config';
import type { Sample } from '@unison/contracts';
import { freePort, waitFor } from '@unison/testkit';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpcuaServer, type TestOpcuaServer } from '../../../test/opcua.server.ts';
import { opcuaConnector } from './opcua.connector.ts';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const NAMESPACE = 'urn:test:press-plc';

const config = (port: number): OpcuaConnectorConfig => ({
  type: 'opcua',
  id: 'presses',
  endpoint: `opc.tcp://127.0.0.1:${port}`,
  samplingIntervalMs: 50,
  reconnect: { initialDelayMs: 50, maxDelayMs: 300 },
  tags: [
    { machine: 'press-1', tag: 'speed', nodeId: `nsu=${NAMESPACE};s=press-1.Speed` },
    { machine: 'press-1', tag: 'state', nodeId: `nsu=${NAMESPACE};s=press-1.State`, samplingIntervalMs: 100 },
    { machine: 'press-1', tag: 'running', nodeId: `nsu=${NAMESPACE};s=press-1.Running` },
    { machine: 'press-1', tag: 'missing', nodeId: `nsu=${NAMESPACE};s=press-1.Missing` },
  ],
});

describe('opcua connector', () => {
  it('connects once the server is up, follows changes and survives a server restart', async () => {
    const port = await freePort();
    const values: Record<string, number | string | boolean> = {
      'press-1.Speed': 12.5,
      'press-1.State': 'running',
      'press-1.Running': true,
    };
    const connector = opcuaConnector(config(port), { log });
    const received: Sample[] = [];
    const stop = await connector.start((samples) => received.push(...samples));
    cleanups.push(stop);
    const latest = (tag: string) => received.findLast((s) => s.tag === tag);

    // Down at start: every tag is reported bad once, and the connector keeps trying.
    await waitFor(() => (connector.status().state === 'disconnected' ? true : undefined));
    expect(received.map((s) => s.quality)).toEqual(['bad', 'bad', 'bad', 'bad']);
    expect(connector.status().lastError).toBeTruthy();

    let server: TestOpcuaServer = await startOpcuaServer({ port, namespaceUri: NAMESPACE, values });
    cleanups.push(() => server.stop());
    await waitFor(() => (latest('speed')?.quality === 'good' ? true : undefined), { what: 'first value' });
    await waitFor(() => (latest('running')?.value === true ? true : undefined));
    await waitFor(() => (latest('state')?.quality === 'good' ? true : undefined));
    expect(connector.status().state).toBe('connected');
    expect(latest('state')).toMatchObject({ machine: 'press-1', value: 'running', quality: 'good' });
    expect(latest('missing')?.quality).toBe('bad');

    values['press-1.Speed'] = 14;
    await waitFor(() => (latest('speed')?.value === 14 ? true : undefined), { what: 'changed value' });

    await server.stop();
    await waitFor(() => (latest('speed')?.quality === 'bad' ? true : undefined), { what: 'bad after loss' });
    expect(connector.status().state).not.toBe('connected');

    // The restarted server puts our namespace at another index; the nsu= node ids must still resolve.
    values['press-1.Speed'] = 15;
    server = await startOpcuaServer({
      port,
      namespaceUri: NAMESPACE,
      values,
      extraNamespaces: ['urn:test:other'],
    });
    await waitFor(() => (latest('speed')?.value === 15 ? true : undefined), { what: 'value after restart' });
    expect(latest('speed')?.quality).toBe('good');
    expect(connector.status().state).toBe('connected');

    await stop();
    expect(connector.status().state).toBe('stopped');
  });
});
