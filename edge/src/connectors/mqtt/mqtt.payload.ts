import type { MqttConnectorConfig } from '@unison/config';
import { MachineCode, type Sample, SampleValue } from '@unison/contracts';

export type MqttSubscriptionConfig = MqttConnectorConfig['subscriptions'][number];

/** MQTT topic filter matching: `+` is one level, a trailing `#` is any number of levels. */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === '#') return true;
    if (i >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/** Follows a dot path (`counters.good`) into parsed JSON; undefined when any step is missing. */
export function pick(source: unknown, path: string): unknown {
  let current = source;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function timestampMs(raw: unknown): number | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw > 0) return raw;
  if (typeof raw === 'string') {
    const parsed = Date.parse(raw);
    if (Number.isFinite(parsed)) return parsed;
  }
  return undefined;
}

export type PayloadResult = { samples: Sample[] } | { rejected: string };

/** Turns one message into samples, or says why it is refused. Never throws. */
export function parseMessage(
  subscription: MqttSubscriptionConfig,
  topic: string,
  payload: Buffer,
  nowMs: number,
): PayloadResult {
  const machine = subscription.machine ?? topic.split('/')[subscription.machineFromTopicLevel ?? -1];
  if (!MachineCode.safeParse(machine).success) return { rejected: `topic ${topic}: no valid machine code` };
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return { rejected: `topic ${topic}: payload is not JSON` };
  }
  const tsMs =
    (subscription.timestampPath ? timestampMs(pick(body, subscription.timestampPath)) : undefined) ?? nowMs;
  const samples: Sample[] = [];
  for (const field of subscription.fields) {
    const value = SampleValue.safeParse(pick(body, field.path));
    if (!value.success) return { rejected: `topic ${topic}: field ${field.path} is missing or not a scalar` };
    samples.push({ machine: machine as string, tag: field.tag, tsMs, value: value.data, quality: 'good' });
  }
  return { samples };
}
