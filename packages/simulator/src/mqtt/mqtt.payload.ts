import type { MachineValues } from '../plant/machines.ts';

export interface StatusPayload {
  ts: string;
  state: MachineValues['state'];
  speed: number;
  counters: { good: number; scrap: number };
  temperature: number;
}

export const statusTopic = (topicPrefix: string, machine: string) => `${topicPrefix}/${machine}/status`;

export function statusPayload(values: MachineValues, at: Date): StatusPayload {
  return {
    ts: at.toISOString(),
    state: values.state,
    speed: values.speed,
    counters: { good: values.good, scrap: values.scrap },
    temperature: values.temperature,
  };
}

/** A prefix is one topic level: no separators, no wildcards. */
export function checkTopicPrefix(topicPrefix: string): string {
  if (!/^[^/+#\s]+$/.test(topicPrefix)) {
    throw new Error(
      `MQTT topic prefix must be one non-empty topic level without '/', '+' or '#': '${topicPrefix}'`,
    );
  }
  return topicPrefix;
}
