import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@unison/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, interpolate, loadPlantConfig, parsePlantConfig } from '../src/index.ts';

const minimal = `
edge: { name: e1, plant: p1 }
cloud: { url: "\${CLOUD_URL:-http://127.0.0.1:8080}" }
machines: [{ id: m1, name: Machine 1 }]
connectors:
  - { id: c1, type: modbus, host: 127.0.0.1, port: "\${PORT:-502}", tags: [{ machine: m1, tag: speed, table: holding, address: 1, dataType: uint16 }] }
`;

function problemsOf(text: string, env = {}): string[] {
  try {
    parsePlantConfig(text, 'plant.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('plant config', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('applies defaults and environment values', () => {
    const config = parsePlantConfig(minimal, 'plant.yaml', { PORT: '5020' });
    expect(config.cloud.url).toBe('http://127.0.0.1:8080');
    expect(config.edge.http.port).toBe(8081);
    const [modbus] = config.connectors;
    expect(modbus).toMatchObject({ type: 'modbus', port: 5020, unitId: 1, pollIntervalMs: 1000 });
  });

  it('names the place and the reason for each problem', () => {
    expect(problemsOf(minimal.replace('tag: speed', 'tag: speed, wordOrder: XYZW'))).toEqual([
      expect.stringMatching(/^connectors\[0\]\.tags\[0\]\.wordOrder: /),
    ]);
    expect(problemsOf(minimal.replace('machine: m1', 'machine: m9'))).toEqual([
      'connectors[0].tags[0].machine: unknown machine "m9" (not under machines:)',
    ]);
    expect(problemsOf(minimal.replace('dataType: uint16', 'dataType: bool'))[0]).toMatch(
      /tags\[0\]\.dataType: bool needs a coil or discrete table/,
    );
    expect(problemsOf(minimal.replace('name: e1, ', ''))).toEqual([expect.stringMatching(/^edge\.name: /)]);
    expect(problemsOf(minimal.replace('type: modbus, ', 'type: profibus, '))[0]).toMatch(
      /^connectors\[0\]\.type/,
    );
    expect(problemsOf(`${minimal}\nsurprise: true\n`)[0]).toMatch(/surprise/);
  });

  it('reports YAML syntax errors with the line', () => {
    expect(problemsOf('edge: { name: e1\nplant: [')[0]).toMatch(/^line \d+: /);
  });

  it('reports an unset variable without default', () => {
    expect(problemsOf(minimal.replace('${PORT:-502}', '${PORT}'))).toEqual([
      'connectors[0].port: environment variable PORT is not set and has no default',
    ]);
  });

  it('reports an unreadable file with its path', () => {
    const missing = join(dir.path, 'nope.yaml');
    expect(() => loadPlantConfig(missing)).toThrow(missing);
  });

  it('loads a file from disk', () => {
    const file = join(dir.path, 'plant.yaml');
    writeFileSync(file, minimal);
    expect(loadPlantConfig(file).machines[0]?.id).toBe('m1');
  });

  it('interpolates nested values only in strings', () => {
    expect(interpolate({ a: ['${X}', 3, { b: '${Y:-y}' }] }, { X: 'x' })).toEqual({
      a: ['x', 3, { b: 'y' }],
    });
  });
});
