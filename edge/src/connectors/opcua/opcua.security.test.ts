import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { OpcuaConnector } from '@unison/config';
import { SIMULATOR_NAMESPACE_URI, startSimulator } from '@unison/simulator';
import { tempDir } from '@unison/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { opcuaConnector } from './opcua.connector.ts';
import { capturingLog, collect } from './opcua.testing.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const simulatorPki = tempDir('unison-opcua-secure-sim-');
const edgePki = tempDir('unison-opcua-secure-edge-');
afterAll(() => {
  simulatorPki.remove();
  edgePki.remove();
});

const config = (endpoint: string, mode: 'Sign' | 'SignAndEncrypt') =>
  OpcuaConnector.parse({
    type: 'opcua',
    id: `presses-${mode}`,
    endpoint,
    samplingIntervalMs: 20,
    security: { mode },
    trustRetryMs: 700,
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    tags: [{ machine: 'press-1', tag: 'speed', nodeId: `nsu=${SIMULATOR_NAMESPACE_URI};s=press-1.Speed` }],
  });

describe('opcua security', () => {
  it('holds an untrusted server certificate as trust pending until `pnpm edge opcua trust` trusts it', async () => {
    const sim = await startSimulator({
      tickMs: 0,
      modbus: false,
      opcua: { port: 0, pkiDir: simulatorPki.path },
    });
    const endpoint = sim.endpoints.opcua ?? '';
    const { log, lines } = capturingLog();
    const signed = opcuaConnector(config(endpoint, 'Sign'), { log, pkiDir: edgePki.path });
    const { stop, latest, until } = await collect(signed);
    try {
      await until(
        'trust pending',
        () => signed.status().lastError?.startsWith('trust pending') === true,
        15_000,
      );
      expect(signed.status().state).toBe('trust pending');
      expect(latest('speed')?.quality).toBe('bad');
      const thumbprint = /server certificate ([0-9a-f]{40})/.exec(signed.status().lastError ?? '')?.[1] ?? '';
      expect(thumbprint).toHaveLength(40);

      // Not a hot loop: the next attempt waits trustRetryMs.
      const refusals = () => lines.filter((line) => line.msg === 'opcua server certificate not trusted');
      await until('a second refusal', () => refusals().length >= 2);
      const [first, second] = refusals().map((line) => Number(line.time));
      expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(650);

      const trusted = await run(
        process.execPath,
        ['edge/src/main.ts', 'opcua', 'trust', thumbprint, '--pki', edgePki.path],
        { cwd: repoRoot },
      );
      expect(trusted.stdout).toContain(`trusted server certificate ${thumbprint}`);

      await until('good after trust', () => latest('speed')?.quality === 'good');
      expect(signed.status().state).toBe('connected');

      const encrypted = opcuaConnector(config(endpoint, 'SignAndEncrypt'), { log, pkiDir: edgePki.path });
      const encryptedRun = await collect(encrypted);
      try {
        sim.set('press-1', { speed: 44 });
        await encryptedRun.until('encrypted value', () => encryptedRun.latest('speed')?.value === 44);
      } finally {
        await encryptedRun.stop();
      }
    } finally {
      await stop();
      await sim.stop();
    }
  });
});
