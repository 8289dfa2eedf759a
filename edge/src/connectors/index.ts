import { join } from 'node:path';
import type { ConnectorConfig } from '@unison/config';
import type { Logger } from 'pino';
import type { Connector } from './connector.ts';
import { modbusConnector } from './modbus/modbus.connector.ts';
import { mqttConnector } from './mqtt/mqtt.connector.ts';
import { opcuaConnector } from './opcua/opcua.connector.ts';
import { sparkplugConnector } from './sparkplug/sparkplug.connector.ts';

export type { Connector, ConnectorStatus, EmitSamples } from './connector.ts';

/** `dataDir` is the edge's data directory: OPC UA keeps its certificates in `<dataDir>/pki`. */
export function createConnector(config: ConnectorConfig, log: Logger, dataDir: string): Connector {
  switch (config.type) {
    case 'opcua':
      return opcuaConnector(config, { log, pkiDir: join(dataDir, 'pki') });
    case 'modbus':
      return modbusConnector(config, { log });
    case 'mqtt':
      return mqttConnector(config, { log });
    case 'sparkplug':
      return sparkplugConnector(config, { log });
  }
}
