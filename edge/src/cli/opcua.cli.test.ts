import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlantConfig } from '@unison/config';
import { startSimulator } from '@unison/simulator';
import { tempDir } from '@unison/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runOpcuaCli } from './opcua.cli.ts';
import { toMachineCode, toTagName } from './opcua.snippet.ts';

const dir = tempDir('unison-opcua-cli-');
afterAll(() => dir.remove());

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await runOpcuaCli(args, {
    env: {},
    cwd: dir.path,
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  return { code, out, err };
}

describe('pnpm edge opcua', () => {
  it('browse prints a tag map that a plant config takes as it is', async () => {
    const sim = await startSimulator({
      tickMs: 0,
      modbus: false,
      opcua: { port: 0, pkiDir: join(dir.path, 'sim') },
    });
    try {
      const endpoint = sim.endpoints.opcua ?? '';
      const { code, out } = await cli(['browse', endpoint, '--id', 'presses']);
      expect(code).toBe(0);
      expect(out).toContain('nodeId: "nsu=urn:unison:simulator;s=press-2.GoodCount"');

      const file = join(dir.path, 'plant.yaml');
      writeFileSync(file, `edge: { name: edge-1, plant: p1 }\ncloud: { url: "http://127.0.0.1:1" }\n${out}`);
      const config = loadPlantConfig(file, {});
      expect(config.machines.map((machine) => machine.id)).toEqual(['press-1', 'press-2', 'press-3']);
      const [connector] = config.connectors;
      expect(connector).toMatchObject({ id: 'presses', type: 'opcua', endpoint });
      expect(connector?.type === 'opcua' && connector.tags).toContainEqual({
        machine: 'press-3',
        tag: 'scrap_count',
        nodeId: 'nsu=urn:unison:simulator;s=press-3.ScrapCount',
      });
      expect(connector?.type === 'opcua' && connector.tags).toHaveLength(15);

      const shallow = await cli(['browse', endpoint, '--depth', '2']);
      expect(shallow.out).toContain('# 0 variables');
    } finally {
      await sim.stop();
    }
  });

  it('trust lists what waits, refuses an unknown thumbprint and explains its usage', async () => {
    const pki = join(dir.path, 'pki');
    expect(await cli(['trust', '--pki', pki])).toMatchObject({
      code: 0,
      out: expect.stringContaining('no refused'),
    });
    const unknown = await cli(['trust', 'ab'.repeat(20), '--pki', pki]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no rejected certificate with thumbprint/);
    expect((await cli(['nonsense'])).code).toBe(2);
    expect((await cli(['browse', 'http://x'])).err).toContain('usage:');
  });

  it('names machines and tags the way the config schema accepts', () => {
    expect(toTagName('GoodCount')).toBe('good_count');
    expect(toTagName('Motor Current (A)')).toBe('motor_current_a_');
    expect(toMachineCode('_Line 1/Press')).toBe('Line-1-Press');
  });
});
