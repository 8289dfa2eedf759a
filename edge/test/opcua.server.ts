import { DataType, OPCUAServer, Variant } from 'node-opcua';

export interface TestOpcuaServer {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * A real OPC UA server with `values` as variables `s=<name>` under `namespaceUri`;
 * `extraNamespaces` are registered first, to move our namespace to another index.
 */
export async function startOpcuaServer({
  port,
  namespaceUri,
  values,
  extraNamespaces = [],
}: {
  port: number;
  namespaceUri: string;
  values: Record<string, number | string | boolean>;
  extraNamespaces?: string[];
}): Promise<TestOpcuaServer> {
  const server = new OPCUAServer({ port, hostname: '127.0.0.1', allowAnonymous: true });
  await server.initialize();
  const addressSpace = server.engine.addressSpace!;
  for (const uri of extraNamespaces) addressSpace.registerNamespace(uri);
  const namespace = addressSpace.registerNamespace(namespaceUri);
  for (const name of Object.keys(values)) {
    const sample = values[name];
    const dataType =
      typeof sample === 'number'
        ? DataType.Double
        : typeof sample === 'string'
          ? DataType.String
          : DataType.Boolean;
    namespace.addVariable({
      organizedBy: addressSpace.rootFolder.objects,
      nodeId: `s=${name}`,
      browseName: name,
      dataType,
      minimumSamplingInterval: 20,
      value: { get: () => new Variant({ dataType, value: values[name] }) },
    });
  }
  await server.start();
  return { endpoint: `opc.tcp://127.0.0.1:${port}`, stop: () => server.shutdown(0) };
}
