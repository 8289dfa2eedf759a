import { parseArgs } from 'node:util';
import { createCloud } from './cloud.ts';
import { loadCloudConfig } from './config.ts';
import { ProblemError } from './http/problem.ts';

const USAGE = `usage: node cloud/src/cli.ts create-org --name NAME --plant-code CODE --plant-name NAME --email EMAIL
       node cloud/src/cli.ts create-platform-admin --email EMAIL

create-org creates an organization with one plant and its first admin; create-platform-admin creates a
platform operator. Each prints the generated password once.
Uses DATABASE_URL (or the PGlite files in CLOUD_DATA_DIR) like the server does.`;

async function createPlatformAdminCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' } } });
  if (!values.email) {
    console.error(USAGE);
    return 2;
  }
  const config = loadCloudConfig(process.env);
  const cloud = await createCloud({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: false });
  try {
    const created = await cloud.admin.createPlatformAdmin({ email: values.email });
    console.log(`platform admin ${created.id} (${created.email})`);
    console.log(`password       ${created.password}`);
    return 0;
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    console.error(`create-platform-admin: ${error.message}`);
    return 1;
  } finally {
    await cloud.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'create-platform-admin') return createPlatformAdminCommand(rest);
  if (command !== 'create-org') {
    console.error(USAGE);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      'plant-code': { type: 'string' },
      'plant-name': { type: 'string' },
      email: { type: 'string' },
    },
  });
  const { name, 'plant-code': plantCode, 'plant-name': plantName, email } = values;
  if (!name || !plantCode || !plantName || !email) {
    console.error(USAGE);
    return 2;
  }
  const config = loadCloudConfig(process.env);
  const cloud = await createCloud({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: false });
  try {
    const created = await cloud.admin.createOrganization({
      name,
      plant: { code: plantCode, name: plantName },
      admin: { email },
    });
    console.log(`organization ${created.organizationId}`);
    console.log(`plant        ${created.plantId} (${plantCode})`);
    console.log(`admin        ${created.admin.email}`);
    console.log(`password     ${created.admin.password}`);
    return 0;
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    console.error(`create-org: ${error.message}`);
    return 1;
  } finally {
    await cloud.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
