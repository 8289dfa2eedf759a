// The cloud of the sync bench in its own process, as in production: the edge's uplink and the cloud
// never share an event loop. Started by `startCloudProcess`; talks to its parent over IPC.
import { fork } from 'node:child_process';
import { createCloud } from '@unison/cloud';

export interface CloudProcessReady {
  url: string;
  organizationId: string;
  plantId: string;
  admin: { email: string; password: string };
  enrollmentCode: string;
}

/** Forks the cloud on `databaseUrl` (migrated on start), with one organization and an enrollment code. */
export function startCloudProcess(databaseUrl: string) {
  const child = fork(import.meta.filename, ['--serve', databaseUrl], { stdio: 'inherit' });
  const ready = new Promise<CloudProcessReady>((resolve, reject) => {
    child.once('message', (message) => resolve(message as CloudProcessReady));
    child.once('exit', (code) =>
      reject(new Error(`the cloud process exited with ${code} before it was ready`)),
    );
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    ready,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.send('close');
        await exited;
      }
    },
  };
}

async function serve(databaseUrl: string) {
  const cloud = await createCloud({ databaseUrl, log: false });
  const { url } = await cloud.listen({ port: 0, host: '127.0.0.1' });
  const org = await cloud.admin.createOrganization({
    name: 'Sync bench',
    plant: { code: 'main', name: 'Main' },
    admin: { email: 'sync-bench@bench.example' },
  });
  const { code } = await cloud.admin.createEnrollmentCode(org);
  // An orphaned cloud would keep the bench database busy: go when the parent goes.
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (message) => {
    if (message !== 'close') return;
    await cloud.close();
    process.exit(0);
  });
  process.send?.({
    url,
    organizationId: org.organizationId,
    plantId: org.plantId,
    admin: org.admin,
    enrollmentCode: code,
  } satisfies CloudProcessReady);
}

if (process.argv[2] === '--serve') await serve(process.argv[3]!);
