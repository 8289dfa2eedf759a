import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  LabelTemplateMeta,
  loadDeviceConfig,
  PrinterConfig,
  ScannerProfile,
  StationConfig,
} from '@unison/config';
import { describe, expect, it } from 'vitest';

const root = import.meta.dirname;
const yamlIn = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => [`${dir}/${name}`, join(root, dir, name)] as const);

const scanners = yamlIn('scanners').map(
  ([name, file]) => [name, loadDeviceConfig(ScannerProfile, file)] as const,
);
const printers = yamlIn('printers').map(
  ([name, file]) => [name, loadDeviceConfig(PrinterConfig, file)] as const,
);
const labels = yamlIn('labels').map(
  ([name, file]) => [name, loadDeviceConfig(LabelTemplateMeta, file)] as const,
);
const stations = yamlIn('stations').map(
  ([name, file]) => [name, loadDeviceConfig(StationConfig, file)] as const,
);

describe('device configuration files', () => {
  it('ship the required scanner profiles', () => {
    expect(scanners.map(([, p]) => p.id).sort()).toEqual([
      'datalogic',
      'generic-cr-aim',
      'honeywell',
      'zebra',
    ]);
    expect(scanners.find(([, p]) => p.id === 'generic-cr-aim')![1]).toMatchObject({
      aimIds: true,
      framing: { suffix: '\r' },
    });
  });

  it.each(labels)('%s declares exactly the variables its ZPL uses', (_name, meta) => {
    const zpl = readFileSync(join(root, 'labels', meta.zpl), 'latin1');
    const used = new Set([...zpl.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(meta.variables.map((v) => v.name).sort());
    expect(zpl.trim()).toMatch(/^\^XA[\s\S]*\^XZ$/);
  });

  it.each(stations)('%s refers to a known scanner profile, printer and labels', (_name, station) => {
    expect(scanners.map(([, p]) => p.id)).toContain(station.scanner.profile);
    if (station.printer) expect(printers.map(([, p]) => p.id)).toContain(station.printer);
    for (const route of station.routes) {
      if (route.printLabel) expect(labels.map(([, l]) => l.id)).toContain(route.printLabel);
    }
  });

  it('takes printer addresses from the environment', () => {
    const tcp = loadDeviceConfig(PrinterConfig, join(root, 'printers/zebra-zt411-tcp.yaml'), {
      PRINTER_PORT: '19100',
    });
    expect(tcp.transport).toEqual({ type: 'tcp', host: '127.0.0.1', port: 19100 });
  });

  it('rejects a wrong file with its path and the reason', () => {
    const file = join(root, 'printers/zebra-zt411-tcp.yaml');
    try {
      loadDeviceConfig(PrinterConfig, file, { PRINTER_PORT: 'lpt1' });
      expect.unreachable('a bad port must not load');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(file);
      expect((error as ConfigError).message).toMatch(/transport\.port: /);
    }
  });
});
