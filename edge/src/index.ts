export type { Connector, ConnectorStatus } from './connectors/connector.ts';
export { type Edge, type StartEdgeOptions, startEdge } from './edge.ts';
export type { EdgeStatus } from './status.ts';
