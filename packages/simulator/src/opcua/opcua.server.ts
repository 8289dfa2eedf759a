import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  RegisterServerMethod,
  SecurityPolicy,
  StatusCode,
  StatusCodes,
  type UAVariable,
} from 'node-opcua';
import type { MachineValues } from '../plant/machines.ts';
import { addBulkVariables, type BulkVariablesOptions } from './opcua.bulk.ts';
import { OPCUA_VARIABLES, type OpcuaVariableName, SIMULATOR_NAMESPACE_URI } from './opcua.variables.ts';

export { OPCUA_VARIABLES, SIMULATOR_NAMESPACE_URI } from './opcua.variables.ts';

export type OpcuaStatusName = keyof typeof StatusCodes;

/** What a test can ask of the OPC UA side beyond the plant: provoked faults and extra load. */
export interface OpcuaServerExtras {
  pkiDir?: string;
  /** Registered before the simulator's own, so `urn:unison:simulator` lands on another index. */
  extraNamespaces?: readonly string[];
  /** Many changing variables, for load tests. */
  bulk?: BulkVariablesOptions;
}

export interface OpcuaServerOptions extends OpcuaServerExtras {
  host: string;
  port: number;
  machines: readonly string[];
  initialValues: (machine: string) => MachineValues;
  log?: (line: string) => void;
}

export interface OpcuaServer {
  endpointUrl: string;
  /** Pushes a machine's values to its variables, which notifies subscriptions right away. */
  update(machine: string, values: MachineValues): void;
  /** Serves a variable with this status code (e.g. `UncertainLastUsableValue`) until set back to `Good`. */
  setStatus(machine: string, variable: OpcuaVariableName, status: OpcuaStatusName): void;
  stop(): Promise<void>;
}

interface ServedVariable {
  variable: UAVariable;
  name: OpcuaVariableName;
  dataType: DataType;
  read: (values: MachineValues) => unknown;
  status: StatusCode;
}

const isWildcardHost = (host: string) => host === '0.0.0.0' || host === '::';

export async function startOpcuaServer({
  host,
  port,
  pkiDir = join(tmpdir(), 'unison-simulator-pki'),
  extraNamespaces = [],
  bulk,
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
    serverCapabilities: { operationLimits: { maxMonitoredItemsPerCall: 10_000 } },
  });
  log('opcua: initializing address space and certificates');
  await server.initialize();

  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error('OPC UA server has no address space after initialize()');
  for (const uri of extraNamespaces) addressSpace.registerNamespace(uri);
  const namespace = addressSpace.registerNamespace(SIMULATOR_NAMESPACE_URI);
  const objects = addressSpace.rootFolder.objects;
  const machinesFolder = namespace.addFolder(objects, { browseName: 'Machines', nodeId: 's=Machines' });

  const variables = new Map<string, ServedVariable[]>();
  for (const machine of machines) {
    const machineObject = namespace.addObject({
      organizedBy: machinesFolder,
      browseName: machine,
      nodeId: `s=${machine}`,
    });
    const values = initialValues(machine);
    variables.set(
      machine,
      OPCUA_VARIABLES.map((spec) => {
        const options = {
          componentOf: machineObject,
          browseName: spec.name,
          nodeId: `s=${machine}.${spec.name}`,
          dataType: spec.dataType,
          accessLevel: 'CurrentRead',
          userAccessLevel: 'CurrentRead',
          minimumSamplingInterval: 0,
          value: { dataType: spec.dataType, value: spec.read(values) },
        } as const;
        // Analog items carry an EURange, which percent deadbands are computed from.
        const variable =
          'euRange' in spec
            ? namespace.addAnalogDataItem({ ...options, engineeringUnitsRange: spec.euRange })
            : namespace.addVariable(options);
        return {
          variable,
          name: spec.name,
          dataType: spec.dataType,
          read: spec.read,
          status: StatusCodes.Good,
        };
      }),
    );
  }
  const stopBulk = bulk ? addBulkVariables(namespace, objects, bulk) : () => {};

  await server.start();
  const endpointUrl = server.getEndpointUrl();
  log(`opcua: listening at ${endpointUrl}`);

  const push = (served: ServedVariable, value: unknown) =>
    served.variable.setValueFromSource({ dataType: served.dataType, value }, served.status);

  let stopping: Promise<void> | undefined;
  return {
    endpointUrl,
    update(machine, values) {
      for (const served of variables.get(machine) ?? []) {
        const value = served.read(values);
        if (served.variable.readValue().value.value !== value) push(served, value);
      }
    },
    setStatus(machine, name, status) {
      const served = variables.get(machine)?.find((candidate) => candidate.name === name);
      if (!served) throw new Error(`unknown OPC UA variable ${machine}.${name}`);
      const statusCode: unknown = StatusCodes[status];
      if (!(statusCode instanceof StatusCode)) throw new Error(`unknown status code ${status}`);
      served.status = statusCode;
      push(served, served.variable.readValue().value.value);
    },
    stop: () => {
      stopBulk();
      stopping ??= server.shutdown(0);
      return stopping;
    },
  };
}
