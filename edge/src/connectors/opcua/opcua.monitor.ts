import type { OpcuaConnectorConfig, OpcuaTagConfig } from '@unison/config';
import {
  AttributeIds,
  type ClientSubscription,
  DataChangeFilter,
  DataChangeTrigger,
  type DataValue,
  DeadbandType,
  type MonitoringParametersOptions,
  TimestampsToReturn,
} from 'node-opcua-client';

export interface ResolvedTag {
  tag: OpcuaTagConfig;
  /** With the namespace index the server uses now. */
  nodeId: string;
}

export interface MonitoredItemGroupSpec {
  parameters: MonitoringParametersOptions;
  tags: ResolvedTag[];
}

type Defaults = Pick<OpcuaConnectorConfig, 'samplingIntervalMs' | 'queueSize'>;

function filterOf(deadband: OpcuaTagConfig['deadband']): DataChangeFilter | null {
  if (!deadband) return null;
  return new DataChangeFilter({
    trigger: DataChangeTrigger.StatusValue,
    deadbandType: deadband.type === 'percent' ? DeadbandType.Percent : DeadbandType.Absolute,
    deadbandValue: deadband.value,
  });
}

/** One group per distinct sampling interval, queue size and deadband, as OPC UA sets them per request. */
export function monitoredItemGroups(tags: ResolvedTag[], defaults: Defaults): MonitoredItemGroupSpec[] {
  const groups = new Map<string, MonitoredItemGroupSpec>();
  for (const resolved of tags) {
    const { samplingIntervalMs, queueSize, deadband } = resolved.tag;
    const settings = {
      samplingInterval: samplingIntervalMs ?? defaults.samplingIntervalMs,
      queueSize: queueSize ?? defaults.queueSize,
      deadband,
    };
    const key = JSON.stringify(settings);
    let group = groups.get(key);
    if (!group) {
      group = {
        parameters: {
          samplingInterval: settings.samplingInterval,
          queueSize: settings.queueSize,
          discardOldest: true,
          filter: filterOf(deadband),
        },
        tags: [],
      };
      groups.set(key, group);
    }
    group.tags.push(resolved);
  }
  return [...groups.values()];
}

export interface MonitorHandlers {
  onChange(tag: OpcuaTagConfig, dataValue: DataValue): void;
  /** The server would not monitor this tag (unknown node, filter not allowed, …). */
  onRefused(tag: OpcuaTagConfig, statusName: string): void;
}

/** Creates the monitored items of every group, at most `maxPerCall` items per request. */
export async function monitorTags(
  subscription: ClientSubscription,
  groups: MonitoredItemGroupSpec[],
  maxPerCall: number,
  { onChange, onRefused }: MonitorHandlers,
): Promise<void> {
  for (const { parameters, tags } of groups) {
    for (let start = 0; start < tags.length; start += maxPerCall) {
      const chunk = tags.slice(start, start + maxPerCall);
      const group = await subscription.monitorItems(
        chunk.map(({ nodeId }) => ({ nodeId, attributeId: AttributeIds.Value })),
        parameters,
        TimestampsToReturn.Both,
      );
      group.on('changed', (_item, dataValue, index) => {
        const resolved = chunk[index];
        if (resolved) onChange(resolved.tag, dataValue);
      });
      group.monitoredItems.forEach((item, index) => {
        const resolved = chunk[index];
        if (resolved && !item.statusCode.isGood()) onRefused(resolved.tag, item.statusCode.name);
      });
    }
  }
}
