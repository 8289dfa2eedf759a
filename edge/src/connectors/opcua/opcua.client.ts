import { MessageSecurityMode, OPCUAClient, SecurityPolicy } from 'node-opcua';

/** A client that fails fast instead of retrying inside connect(); the connector owns reconnection. */
export function createOpcuaClient(): OPCUAClient {
  return OPCUAClient.create({
    endpointMustExist: false,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    requestedSessionTimeout: 60_000,
  });
}
