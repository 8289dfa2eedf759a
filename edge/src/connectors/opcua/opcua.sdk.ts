// Everything the connector needs from the OPC UA SDK at run time, in one module that
// opcua.connector.ts imports only when it first connects.
export { AttributeIds } from 'node-opcua-client';
export { createOpcuaClient } from './opcua.client.ts';
export { monitoredItemGroups, monitorTags } from './opcua.monitor.ts';
export { openClientPki } from './opcua.pki.ts';
