import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  RegisterServerMethod,
  SecurityPolicy,
  type UAVariable,
} from 'node-opcua';
import type { MachineValues } from '../plant/machines.ts';

export const SIMULATOR_NAMESPACE_URI = 'urn:unison:simulator';

/** The variables of each machine: browse name, wire type and the value it shows. */
export const OPCUA_VARIABLES = [
  { name: 'State', dataType: DataType.String, read: (values: MachineValues) => values.state },
  { name: 'Speed', dataType: DataType.Double, read: (values: MachineValues) => values.speed },
  { name: 'GoodCount', dataType: DataType.UInt32, read: (values: MachineValues) => values.good },
  { name: 'ScrapCount', dataType: DataType.UInt32, read: (values: MachineValues) => values.scrap },
  { name: 'Temperature', dataType: DataType.Double, read: (values: MachineValues) => values.temperature },
] as const;

export interface OpcuaServerOptions {
  host: string;
  port: number;
  pkiDir?: string;
  machines: readonly string[];
  initialValues: (machine: string) => MachineValues;
  log?: (line: string) => void;
}

export interface OpcuaServer {
  endpointUrl: string;
  /** Pushes a machine's values to its variables, which notifies subscriptions right away. */
  update(machine: string, values: MachineValues): void;
  stop(): Promise<void>;
}

const isWildcardHost = (host: string) => host === '0.0.0.0' || host === '::';

export async function startOpcuaServer({
  host,
  port,
  pkiDir = join(tmpdir(), 'unison-simulator-pki'),
  machines,
  initialValues,
  log = () => {},
}: OpcuaServerOptions): Promise<OpcuaServer> {
  const server = new OPCUAServer({
    port,
    host,
    // The advertised URL must be one a client can dial; a wildcard bind advertises the host name.
    ...(isWildcardHost(host) ? {} : { hostname: host }),
    resourcePath: '',
    serverCertificateManager: new OPCUACertificateManager({
      rootFolder: join(pkiDir, 'server'),
      automaticallyAcceptUnknownCertificate: true,
    }),
    userCertificateManager: new OPCUACertificateManager({
      rootFolder: join(pkiDir, 'user'),
      automaticallyAcceptUnknownCertificate: true,
    }),
    securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
    securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
    allowAnonymous: true,
    registerServerMethod: RegisterServerMethod.HIDDEN,
    buildInfo: { productName: 'Unison plant simulator', manufacturerName: 'Unison' },
  });
  log('opcua: initializing address space and certificates');
  await server.initialize();

  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error('OPC UA server has no address space after initialize()');
  const namespace = addressSpace.registerNamespace(SIMULATOR_NAMESPACE_URI);
  const machinesFolder = namespace.addFolder(addressSpace.rootFolder.objects, {
    browseName: 'Machines',
    nodeId: 's=Machines',
  });

  const variables = new Map<
    string,
    { variable: UAVariable; dataType: DataType; read: (values: MachineValues) => unknown }[]
  >();
  for (const machine of machines) {
    const machineObject = namespace.addObject({
      organizedBy: machinesFolder,
      browseName: machine,
      nodeId: `s=${machine}`,
    });
    const values = initialValues(machine);
    variables.set(
      machine,
      OPCUA_VARIABLES.map(({ name, dataType, read }) => ({
        read,
        dataType,
        variable: namespace.addVariable({
          componentOf: machineObject,
          browseName: name,
          nodeId: `s=${machine}.${name}`,
          dataType,
          accessLevel: 'CurrentRead',
          userAccessLevel: 'CurrentRead',
          minimumSamplingInterval: 0,
          value: { dataType, value: read(values) },
        }),
      })),
    );
  }

  await server.start();
  const endpointUrl = server.getEndpointUrl();
  log(`opcua: listening at ${endpointUrl}`);

  let stopping: Promise<void> | undefined;
  return {
    endpointUrl,
    update(machine, values) {
      for (const { variable, dataType, read } of variables.get(machine) ?? []) {
        const value = read(values);
        if (variable.readValue().value.value !== value) {
          variable.setValueFromSource({ dataType, value });
        }
      }
    },
    stop: () => {
      stopping ??= server.shutdown(0);
      return stopping;
    },
  };
}
