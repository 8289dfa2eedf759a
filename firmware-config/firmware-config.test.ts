import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError, loadPlantConfig } from '@unison/config';
import { describe, expect, it } from 'vitest';

const root = import.meta.dirname;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const plantFiles = yamlFiles(join(root, 'plants'));

describe('firmware-config', () => {
  it('has plant files to check', () => {
    expect(plantFiles.map((f) => relative(root, f))).toContain('plants/demo.yaml');
  });

  // Defaults only: each file must be valid exactly as shipped, with no environment set.
  it.each(plantFiles.map((f) => [relative(root, f), f]))('%s is a valid plant config', (_name, file) => {
    expect(() => loadPlantConfig(file, {})).not.toThrow();
  });

  it('rejects a wrong file with its path and the reason', () => {
    const file = join(root, 'plants', 'demo.yaml');
    try {
      loadPlantConfig(file, { SIM_MODBUS_PORT: 'not-a-port' });
      expect.unreachable('a bad port must not load');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain(file);
      expect(message).toMatch(/connectors\[1\]\.port: .*number/);
    }
  });
});
