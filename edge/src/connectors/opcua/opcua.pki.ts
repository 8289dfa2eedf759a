import { createHash, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';

export interface RefusedCertificate {
  thumbprint: string;
  /** `BadCertificateUntrusted`, `BadCertificateTimeInvalid`, … */
  status: string;
}

export interface ClientPki {
  certificateManager: OPCUACertificateManager;
  /** The last server certificate this PKI refused, if any. */
  refused(): RefusedCertificate | undefined;
  dispose(): Promise<void>;
}

/** The first certificate of a DER chain. */
function leafOf(der: Buffer): Buffer {
  const lengthByte = der[1] ?? 0;
  if (lengthByte < 0x80) return der.subarray(0, 2 + lengthByte);
  const lengthBytes = lengthByte & 0x7f;
  const length = der.subarray(2, 2 + lengthBytes).reduce((total, byte) => total * 256 + byte, 0);
  return der.subarray(0, 2 + lengthBytes + length);
}

/** SHA-1 of the leaf certificate, lower-case hex: how OPC UA tools name a certificate. */
export function certificateThumbprint(der: Buffer): string {
  return createHash('sha1').update(leafOf(der)).digest('hex');
}

/**
 * The edge's client PKI at `pkiDir` (own/, trusted/, rejected/, issuers/), opened fresh for one
 * connection attempt so a certificate trusted from the CLI counts on the next attempt.
 */
export async function openClientPki(pkiDir: string): Promise<ClientPki> {
  const certificateManager = new OPCUACertificateManager({
    rootFolder: pkiDir,
    automaticallyAcceptUnknownCertificate: false,
    disableFileWatchers: true,
  });
  await certificateManager.initialize();
  let refused: RefusedCertificate | undefined;
  const check = certificateManager.checkCertificate.bind(certificateManager);
  const recordingCheck = async (certificate: Buffer) => {
    const status = await check(certificate);
    if (!status.isGood()) refused = { thumbprint: certificateThumbprint(certificate), status: status.name };
    return status;
  };
  certificateManager.checkCertificate = recordingCheck as typeof certificateManager.checkCertificate;
  return { certificateManager, refused: () => refused, dispose: () => certificateManager.dispose() };
}

/** Reads a PEM or DER certificate file as DER. */
function readCertificateFile(file: string): Buffer {
  return Buffer.from(new X509Certificate(readFileSync(file)).raw);
}

/** Certificates waiting in `rejected/`, with their thumbprints. */
export function rejectedCertificates(pkiDir: string): { thumbprint: string; file: string }[] {
  const folder = join(pkiDir, 'rejected');
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names
    .filter((name) => /\.(pem|der|crt)$/i.test(name))
    .map((name) => {
      const file = join(folder, name);
      return { thumbprint: certificateThumbprint(readCertificateFile(file)), file };
    });
}

/**
 * Moves a server certificate to `trusted/`: given a certificate file, or the thumbprint of one the
 * edge refused (in `rejected/`). Returns the trusted certificate's thumbprint.
 */
export async function trustServerCertificate(pkiDir: string, thumbprintOrFile: string): Promise<string> {
  const wanted = thumbprintOrFile.toLowerCase().replaceAll(':', '');
  const fromRejected = rejectedCertificates(pkiDir).find(({ thumbprint }) => thumbprint === wanted);
  const file = fromRejected?.file ?? thumbprintOrFile;
  let certificate: Buffer;
  try {
    certificate = readCertificateFile(file);
  } catch {
    throw new Error(
      `no rejected certificate with thumbprint ${wanted} in ${pkiDir}, and no certificate file by that name`,
    );
  }
  const certificateManager = new OPCUACertificateManager({ rootFolder: pkiDir, disableFileWatchers: true });
  try {
    await certificateManager.initialize();
    await certificateManager.trustCertificate(certificate);
  } finally {
    await certificateManager.dispose();
  }
  return certificateThumbprint(certificate);
}
