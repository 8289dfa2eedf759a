import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hash } from '@node-rs/argon2';
import { PlantConfig } from '@unison/config';
import {
  demoScan,
  type SimulatedPrinter,
  type SimulatedScanner,
  startSimulatedScanner,
  startZebraPrinterTcp,
} from '@unison/simulator';
import { tempDir, waitFor } from '@unison/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeedServer, startFeedServer } from '../../src/downlink/feed.fixture.ts';
import { type Edge, startEdge } from '../../src/edge.ts';
import { identityFile, makeKeyPair, writeIdentity } from '../../src/uplink/identity.ts';
import { ptyFixture } from './pty.fixture.ts';

const firmware = resolve(import.meta.dirname, '../../../firmware-config');
const GS = '\x1d';
const dir = tempDir('unison-devices-edge-');
let pty: Awaited<ReturnType<typeof ptyFixture>>;
let scanner: SimulatedScanner;
let printer: SimulatedPrinter;
let edge: Edge;
let db: Database.Database;
let feed: FeedServer;
const SUPERVISOR = { email: 'sam@plant.example', password: 'reprint the lot label' };

/** An enrolled edge whose cloud serves the plant's supervisor through the change feed. */
async function enrolledWithSupervisor(dataDir: string): Promise<FeedServer> {
  const keys = await makeKeyPair();
  const plantId = randomUUID();
  const cloud = await startFeedServer({ edgePublicKey: keys.publicKey, pageSize: 10 });
  mkdirSync(dataDir, { recursive: true });
  writeIdentity(identityFile(dataDir), {
    edgeId: randomUUID(),
    organizationId: randomUUID(),
    plantId,
    cloudUrl: cloud.url,
    privateKey: keys.privateKey as { kty: string; d: string },
    publicKey: keys.publicKey as { kty: string },
  });
  const roleId = randomUUID();
  cloud.upsert('role', {
    id: roleId,
    key: 'plant_supervisor',
    name: 'Supervisor',
    permissions: ['labels:write'],
  });
  cloud.upsert('user', {
    id: randomUUID(),
    email: SUPERVISOR.email,
    passwordHash: await hash(SUPERVISOR.password, { algorithm: 2 }),
    active: true,
    roleIds: [roleId],
    plantIds: [plantId],
  });
  return cloud;
}

beforeAll(async () => {
  pty = await ptyFixture();
  scanner = startSimulatedScanner({ path: pty.device });
  printer = await startZebraPrinterTcp();
  feed = await enrolledWithSupervisor(join(dir.path, 'data'));
  const config = PlantConfig.parse({
    edge: {
      name: 'devices-edge',
      plant: 'plant-1',
      dataDir: join(dir.path, 'data'),
      http: { host: '127.0.0.1', port: 0 },
    },
    cloud: { url: feed.url },
    machines: [{ id: 'press-1', name: 'Press 1' }],
    devices: {
      scannerProfiles: join(firmware, 'scanners'),
      labelTemplates: join(firmware, 'labels'),
      printers: [
        { id: 'zebra', model: 'Zebra ZT411', transport: `tcp://127.0.0.1:${printer.port}`, statusPollMs: 20 },
      ],
      stations: [
        {
          id: 'goods-in',
          name: 'Goods-in desk',
          scanner: {
            profile: 'generic-cr-aim',
            path: pty.host,
            reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
          },
          printer: 'zebra',
          routes: [
            { action: 'receive-lot', when: { kind: 'gs1', ais: ['01', '10'] }, printLabel: 'lot-label' },
            {
              action: 'register-serial',
              when: { kind: 'gs1', ais: ['01', '21'] },
              printLabel: 'serial-label',
            },
          ],
        },
      ],
    },
  });
  edge = await startEdge(config);
  db = new Database(join(dir.path, 'data', 'edge.db'), { readonly: true });
});

afterAll(async () => {
  db?.close();
  await edge?.stop();
  scanner?.close();
  await printer?.stop();
  await feed?.stop();
  await pty?.cleanup();
  dir.remove();
});

const station = () => edge.status().stations.find((s) => s.station === 'goods-in')!;
const eventsOf = (type: string) =>
  (db.prepare('SELECT * FROM events WHERE type = ?').all(type) as { source: string; payload: string }[]).map(
    (row) => ({ ...row, payload: JSON.parse(row.payload) as Record<string, unknown> }),
  );
const outboxEvents = () =>
  (db.prepare(`SELECT count(*) AS n FROM outbox WHERE stream = 'events'`).get() as { n: number }).n;

describe('scanner stations and printers in the edge', () => {
  it('turns a scan into an event in the outbox, answers the operator and prints the label', async () => {
    await waitFor(() => (station().scanner.state === 'open' ? true : undefined), { intervalMs: 10 });
    await scanner.scan(`0109501101530003${'10'}LOT-42${GS}17261231`, { aim: ']C1' });

    const [received] = await waitFor(() => {
      const rows = eventsOf('lot.received');
      return rows.length > 0 ? rows : undefined;
    });
    expect(received).toMatchObject({
      source: 'goods-in',
      payload: { lot: 'LOT-42', gtin: '09501101530003' },
    });
    expect(outboxEvents()).toBeGreaterThanOrEqual(1);
    expect(station()).toMatchObject({ accepted: 1, lastScan: { ok: true, message: 'Lot LOT-42 received' } });

    const printed = await waitFor(() =>
      printer.model.printed().length > 0 ? printer.model.printed() : undefined,
    );
    expect(printed[0]!.fields.map((f) => f.data)).toEqual(expect.arrayContaining(['Lot LOT-42']));
    await waitFor(() => (eventsOf('label.printed').length > 0 ? true : undefined));
    expect(edge.status().printers).toEqual([
      expect.objectContaining({ printer: 'zebra', printed: 1, queued: 0, held: 0 }),
    ]);
  });

  it('rejects a code no route takes, with an event and the reason for the operator', async () => {
    await scanner.scan('HELLO', { aim: ']C0' });
    await waitFor(() => (eventsOf('scan.rejected').length > 0 ? true : undefined));
    expect(station()).toMatchObject({ rejected: 1, lastScan: { ok: false } });
    expect(station().lastScan!.message).toMatch(/no scan action/);
  });

  it("takes the demo scanner's lots and serials and prints a label for each", async () => {
    const before = printer.model.printed().length;
    for (let n = 0; n < 3; n++) {
      const { code, aim } = demoScan(n);
      await scanner.scan(code, { aim });
    }
    await waitFor(() => (printer.model.printed().length >= before + 3 ? true : undefined));
    expect(eventsOf('lot.received')).toHaveLength(3);
    expect(eventsOf('serial.registered')).toEqual([
      expect.objectContaining({
        payload: expect.objectContaining({ serial: 'SN100002', gtin: '08712345678906' }),
      }),
    ]);
    expect(station()).toMatchObject({ accepted: 4, rejected: 1 });
  });

  it('lets a supervisor list jobs, see a label and reprint one over HTTP', async () => {
    type Job = { id: string; state: string; template: string; reprintOf: string | null };
    const list = async (query = '') =>
      ((await (await fetch(`${edge.url}/api/print-jobs${query}`)).json()) as { items: Job[] }).items;
    // The printer has them all; the queue marks the last one printed when the printer's status says so.
    const printedJobs = await waitFor(async () => {
      const jobs = await list('?state=printed');
      return jobs.length >= 4 ? jobs : undefined;
    });
    const first = printedJobs[0]!;

    const preview = await fetch(`${edge.url}/api/print-jobs/${first.id}/preview.png`);
    expect(preview.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await preview.arrayBuffer())
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');

    // Changing a job needs a supervisor signed in on the LAN with the account the cloud replicated.
    expect((await fetch(`${edge.url}/api/print-jobs/${first.id}/reprint`, { method: 'POST' })).status).toBe(
      401,
    );
    await waitFor(() => (edge.status().downlink?.rows.user === 1 ? true : undefined), {
      what: 'the replicated user',
    });
    const signIn = await fetch(`${edge.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(SUPERVISOR),
    });
    expect(signIn.status).toBe(200);
    const { accessToken } = (await signIn.json()) as { accessToken: string };
    const post = (path: string) =>
      fetch(`${edge.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } });

    // Only a held job can be confirmed by hand; a printed one is a conflict, an unknown one 404.
    expect((await post(`/api/print-jobs/${first.id}/printed`)).status).toBe(409);
    expect((await post('/api/print-jobs/nope/reprint')).status).toBe(404);
    expect((await fetch(`${edge.url}/api/print-jobs?state=lost`)).status).toBe(400);

    const before = printer.model.printed().length;
    const reprint = await post(`/api/print-jobs/${first.id}/reprint`);
    expect(reprint.status).toBe(201);
    const copy = (await reprint.json()) as Job;
    expect(copy).toMatchObject({ reprintOf: first.id, template: first.template });
    await waitFor(async () =>
      (await list()).find((j) => j.id === copy.id)?.state === 'printed' ? true : undefined,
    );
    expect(printer.model.printed()).toHaveLength(before + 1);
  });
});
