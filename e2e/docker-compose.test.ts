import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EDGE_NODE_FLAGS } from '../edge/src/runtime.flags.ts';

const root = join(import.meta.dirname, '..');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const plantConfig = readFileSync(join(root, 'firmware-config', 'plants', 'demo.yaml'), 'utf8');

describe('docker-compose.yml', () => {
  it('runs TimescaleDB, the cloud, the simulator and an edge, each with a healthcheck', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['cloud', 'db', 'edge', 'sim']);
    expect(compose.services.db?.image).toMatch(/^timescale\/timescaledb:/);
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, healthcheck: Array.isArray(service.healthcheck?.test) }).toEqual({
        name,
        healthcheck: true,
      });
    }
  });

  it('starts entry points that exist in this repository', () => {
    for (const name of ['cloud', 'edge', 'sim']) {
      const command = compose.services[name]?.command ?? [];
      expect(command[0]).toBe('node');
      const entry = command.find((part, i) => i > 0 && !part.startsWith('--'));
      expect(existsSync(join(root, entry ?? 'missing'))).toBe(true);
    }
  });

  it('runs the edge with the heap sizing every other launch of it uses', () => {
    const flags = (command: readonly string[]) => command.filter((part) => part.startsWith('--'));
    expect(flags(compose.services.edge?.command ?? [])).toEqual([...EDGE_NODE_FLAGS]);
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const script of ['edge', 'bench:edge']) {
      expect({ script, flags: flags(scripts[script]?.split(' ') ?? []) }).toEqual({
        script,
        flags: [...EDGE_NODE_FLAGS],
      });
    }
  });

  it('gives the cloud its database and the edge a volume for its SQLite file', () => {
    const cloud = compose.services.cloud!;
    expect(cloud.environment?.DATABASE_URL).toMatch(
      /^postgresql:\/\/unison:\$\{POSTGRES_PASSWORD\}@db:5432\/unison$/,
    );
    expect(cloud.depends_on?.db?.condition).toBe('service_healthy');
    expect(compose.services.db?.volumes?.[0]).toMatch(/^db-data:/);
    const edge = compose.services.edge!;
    const dataDir = edge.environment?.EDGE_DATA_DIR;
    expect(edge.volumes).toContain(`edge-data:${dataDir}`);
    expect(Object.keys(compose.volumes).sort()).toEqual(['db-data', 'edge-data']);
  });

  it("sets only variables the edge's plant file reads, and every one it needs for the simulator", () => {
    const edgeEnv = Object.keys(compose.services.edge?.environment ?? {});
    const readByFile = new Set([...plantConfig.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]));
    const readByMain = new Set(['EDGE_CONFIG', 'LOG_LEVEL']);
    expect(edgeEnv.filter((name) => !readByFile.has(name) && !readByMain.has(name))).toEqual([]);
    for (const name of ['SIM_OPCUA_URL', 'SIM_MODBUS_HOST', 'SIM_MQTT_URL', 'CLOUD_URL']) {
      expect(edgeEnv).toContain(name);
    }
  });

  it('ships no secrets: passwords come from the environment', () => {
    const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    expect(text).toMatch(/POSTGRES_PASSWORD: \$\{POSTGRES_PASSWORD:\?/);
    expect(text).not.toMatch(/PASSWORD: [^$\s]/);
  });
});
