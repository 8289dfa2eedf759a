import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadPlantConfig } from '@unison/config';
import { browseVariables } from '../connectors/opcua/opcua.browse.ts';
import { createOpcuaClient } from '../connectors/opcua/opcua.client.ts';
import {
  openClientPki,
  rejectedCertificates,
  trustServerCertificate,
} from '../connectors/opcua/opcua.pki.ts';
import { tagMapSnippet } from './opcua.snippet.ts';

export interface CliContext {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  out(text: string): void;
  err(text: string): void;
}

const USAGE = `usage:
  pnpm edge opcua browse <opc.tcp://host:port> [--depth 6] [--id <connector id>] [--pki <dir>]
      prints a plant-config snippet with every variable below Objects (nsu= node ids)
  pnpm edge opcua trust [<thumbprint> | <certificate file>] [--pki <dir>]
      trusts a server certificate the edge refused (listed when no argument is given);
      the PKI is <dataDir>/pki of the plant config in EDGE_CONFIG unless --pki is given`;

const DEFAULT_CONFIG = 'firmware-config/plants/demo.yaml';

/** `pnpm edge opcua …`: browse a server, or trust its certificate. Resolves to the exit code. */
export async function runOpcuaCli(args: string[], context: CliContext): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === 'browse') return await browse(rest, context);
    if (command === 'trust') return await trust(rest, context);
    context.err(`${command ? `unknown command "${command}"\n` : ''}${USAGE}\n`);
    return 2;
  } catch (error) {
    if (error instanceof ConfigError || (error instanceof TypeError && 'code' in error)) {
      context.err(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    context.err(`opcua ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function browse(args: string[], { out, err }: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { depth: { type: 'string', default: '6' }, id: { type: 'string' }, pki: { type: 'string' } },
  });
  const endpoint = positionals[0];
  const maxDepth = Number(values.depth);
  if (!endpoint?.startsWith('opc.tcp://') || !Number.isInteger(maxDepth) || maxDepth < 1) {
    err(`${USAGE}\n`);
    return 2;
  }
  const pki = await openClientPki(values.pki ?? join(tmpdir(), 'unison-edge-browse-pki'));
  const client = createOpcuaClient({
    security: { mode: 'None', policy: 'Basic256Sha256' },
    certificateManager: pki.certificateManager,
  });
  try {
    await client.connect(endpoint);
    const session = await client.createSession();
    const variables = await browseVariables(session, { maxDepth });
    await session.close();
    const host = new URL(endpoint.replace(/^opc\.tcp:/, 'http:'));
    const connectorId =
      values.id ?? `opcua-${host.hostname.replace(/[^A-Za-z0-9]+/g, '-')}-${host.port || 4840}`;
    out(tagMapSnippet({ endpoint, connectorId, variables }));
    return 0;
  } finally {
    await client.disconnect().catch(() => {});
    await pki.dispose();
  }
}

function pkiDirFrom(pki: string | undefined, { env, cwd }: CliContext): string {
  if (pki) return resolve(cwd, pki);
  const configFile = resolve(cwd, env.EDGE_CONFIG ?? DEFAULT_CONFIG);
  return join(resolve(cwd, loadPlantConfig(configFile, env).edge.dataDir), 'pki');
}

async function trust(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { pki: { type: 'string' } },
  });
  const pkiDir = pkiDirFrom(values.pki, context);
  const target = positionals[0];
  if (!target) {
    const pending = rejectedCertificates(pkiDir);
    if (pending.length === 0) context.out(`no refused server certificates in ${pkiDir}\n`);
    for (const { thumbprint, file } of pending) context.out(`${thumbprint}  ${file}\n`);
    return 0;
  }
  const thumbprint = await trustServerCertificate(pkiDir, target);
  context.out(`trusted server certificate ${thumbprint} in ${join(pkiDir, 'trusted')}\n`);
  return 0;
}
