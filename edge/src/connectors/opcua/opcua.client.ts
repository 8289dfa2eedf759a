import type { OpcuaConnectorConfig } from '@unison/config';
import type { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { MessageSecurityMode, OPCUAClient, SecurityPolicy } from 'node-opcua-client';

export interface OpcuaClientSettings {
  security: OpcuaConnectorConfig['security'];
  certificateManager: OPCUACertificateManager;
}

export type CreateOpcuaClient = (settings: OpcuaClientSettings) => OPCUAClient;

/** A client that fails fast instead of retrying inside connect(); the connector owns reconnection. */
export function createOpcuaClient({ security, certificateManager }: OpcuaClientSettings): OPCUAClient {
  const secured = security.mode !== 'None';
  return OPCUAClient.create({
    applicationName: 'Unison edge',
    endpointMustExist: false,
    securityMode: MessageSecurityMode[security.mode],
    securityPolicy: secured ? SecurityPolicy[security.policy] : SecurityPolicy.None,
    clientCertificateManager: certificateManager,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    requestedSessionTimeout: 60_000,
    transportTimeout: 10_000,
  });
}
