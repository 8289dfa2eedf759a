export const SPARKPLUG_NAMESPACE = 'spBv1.0';

export type SparkplugMessageType =
  | 'NBIRTH'
  | 'NDEATH'
  | 'DBIRTH'
  | 'DDEATH'
  | 'NDATA'
  | 'DDATA'
  | 'NCMD'
  | 'DCMD';

const MESSAGE_TYPES = new Set<string>([
  'NBIRTH',
  'NDEATH',
  'DBIRTH',
  'DDEATH',
  'NDATA',
  'DDATA',
  'NCMD',
  'DCMD',
]);

export interface SparkplugTopic {
  group: string;
  type: SparkplugMessageType;
  node: string;
  device?: string;
}

/** `spBv1.0/<group>/<type>/<node>[/<device>]`; undefined for STATE and anything else. */
export function parseSparkplugTopic(topic: string): SparkplugTopic | undefined {
  const [namespace, group, type, node, device, ...rest] = topic.split('/');
  if (namespace !== SPARKPLUG_NAMESPACE || !group || !type || !node || rest.length > 0) return undefined;
  if (!MESSAGE_TYPES.has(type)) return undefined;
  const isDeviceMessage = type.startsWith('D');
  if (isDeviceMessage !== (device !== undefined && device !== '')) return undefined;
  return { group, type: type as SparkplugMessageType, node, device };
}

export function sparkplugTopic({ group, type, node, device }: SparkplugTopic): string {
  return [SPARKPLUG_NAMESPACE, group, type, node, ...(device ? [device] : [])].join('/');
}

export const stateTopic = (hostId: string) => `${SPARKPLUG_NAMESPACE}/STATE/${hostId}`;

/** The Sparkplug 3.0 STATE payload: JSON, retained, QoS 1. */
export const statePayload = (online: boolean, timestampMs: number) =>
  JSON.stringify({ online, timestamp: timestampMs });
