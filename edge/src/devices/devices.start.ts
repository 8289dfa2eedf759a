import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadDeviceConfig, type PlantDevicesConfig, ScannerProfile } from '@unison/config';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { type Clock, type EmitEvent, systemClock } from './device.events.ts';
import { previewLabelPng } from './labels/label.preview.ts';
import { loadLabelTemplates } from './labels/label.templates.ts';
import { type PrinterView, type PrintQueue, startPrintQueue } from './printer/print.queue.ts';
import { type Station, type StationStatus, startStation } from './scanner/scanner.station.ts';

export interface StationView extends StationStatus {
  name: string;
  lastScan?: { atMs: number; ok: boolean; message: string };
}

export interface PrinterSummary extends PrinterView {
  printed: number;
}

export interface Devices {
  stations(): StationView[];
  printers(): PrinterSummary[];
  queue?: PrintQueue;
  /** PNG of a print job's label as it was sent (undefined for an unknown job). */
  previewJob(jobId: string): Buffer | undefined;
  stop(): Promise<void>;
}

export interface StartDevicesOptions {
  devices: PlantDevicesConfig;
  /** The edge store's SQLite handle; print jobs live beside the outbox. */
  db: Database;
  emitEvent: EmitEvent;
  /** Turns the config's directories into paths (relative ones against the working directory). */
  resolvePath?: (path: string) => string;
  clock?: Clock;
  log?: Logger;
}

function loadScannerProfiles(dir: string): Map<string, ScannerProfile> {
  const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));
  const profiles = files.map((name) => loadDeviceConfig(ScannerProfile, join(dir, name)));
  return new Map(profiles.map((profile) => [profile.id, profile]));
}

/** Starts the print queue and every station of the plant config; a missing profile or template fails the start. */
export function startDevices({
  devices,
  db,
  emitEvent,
  resolvePath = (path) => path,
  clock = systemClock,
  log,
}: StartDevicesOptions): Devices {
  const profilesDir = resolvePath(devices.scannerProfiles);
  const profiles = devices.stations.length > 0 ? loadScannerProfiles(profilesDir) : new Map();
  const missing = devices.stations
    .filter((station) => !profiles.has(station.scanner.profile))
    .map((station) => `stations: ${station.id} uses scanner profile "${station.scanner.profile}", not found`);
  if (missing.length > 0) throw new ConfigError(profilesDir, missing);

  const templates =
    devices.printers.length > 0 ? loadLabelTemplates(resolvePath(devices.labelTemplates)) : new Map();
  const queue =
    devices.printers.length > 0
      ? startPrintQueue({
          db,
          printers: devices.printers,
          templates,
          emitEvent,
          clock,
          ...(log ? { log: log.child({ module: 'printer' }) } : {}),
        })
      : undefined;

  const lastScans = new Map<string, StationView['lastScan']>();
  const stations: [string, Station][] = devices.stations.map((station) => [
    station.name,
    startStation({
      station,
      profile: profiles.get(station.scanner.profile)!,
      emitEvent,
      onFeedback: (feedback) => {
        lastScans.set(station.id, { atMs: clock.now(), ...feedback });
        log?.info({ station: station.id, ...feedback }, 'scan');
      },
      ...(queue ? { print: (request) => queue.enqueue(request) } : {}),
      clock,
      ...(log ? { log: log.child({ module: 'station' }) } : {}),
    }),
  ]);

  return {
    stations: () =>
      stations.map(([name, station]) => {
        const status = station.status();
        const lastScan = lastScans.get(status.station);
        return { ...status, name, ...(lastScan ? { lastScan } : {}) };
      }),
    printers: () =>
      (queue?.printers() ?? []).map((view) => ({
        ...view,
        printed: queue?.jobs({ printer: view.printer, state: 'printed' }).length ?? 0,
      })),
    ...(queue ? { queue } : {}),
    previewJob(jobId) {
      const job = queue?.job(jobId);
      const meta = job && templates.get(job.template)?.meta;
      if (!job || !meta) return undefined;
      return previewLabelPng(job.zpl, { widthDots: meta.widthDots, heightDots: meta.heightDots });
    },
    async stop() {
      await Promise.all(stations.map(([, station]) => station.stop()));
      await queue?.stop();
    },
  };
}
