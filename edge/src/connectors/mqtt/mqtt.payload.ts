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

/** Splits `values[0].v` into `['values', 0, 'v']`; undefined when the path is malformed. */
export function parsePath(path: string): (string | number)[] | undefined {
  const steps: (string | number)[] = [];
  for (const part of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) return undefined;
    const [, key = '', indexes = ''] = match;
    if (key === '' && indexes === '') return undefined;
    if (key !== '') steps.push(key);
    for (const index of indexes.matchAll(/\[(\d+)\]/g)) steps.push(Number(index[1]));
  }
  return steps;
}

// Paths come from config, so the set is small and fixed; each is parsed once, not per message.
const compiledPaths = new Map<string, (string | number)[]>();
function compiledPath(path: string): (string | number)[] {
  let steps = compiledPaths.get(path);
  if (!steps) {
    steps = parsePath(path) ?? [];
    compiledPaths.set(path, steps);
  }
  return steps;
}

/** Follows a path (`counters.good`, `values[0].v`) into parsed JSON; undefined when any step is missing. */
export function pick(source: unknown, path: string): unknown {
  let current = source;
  for (const step of compiledPath(path)) {
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) return undefined;
      current = current[step];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
      if (!Object.hasOwn(current, step)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
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
  if (!MachineCode.safeParse(machine).success) return { rejected: `no valid machine code` };
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return { rejected: `payload is not JSON` };
  }
  const tsMs =
    (subscription.timestampPath ? timestampMs(pick(body, subscription.timestampPath)) : undefined) ?? nowMs;
  const samples: Sample[] = [];
  for (const field of subscription.fields) {
    const value = SampleValue.safeParse(pick(body, field.path));
    if (!value.success) return { rejected: `field ${field.path} is missing or not a scalar` };
    samples.push({ machine: machine as string, tag: field.tag, tsMs, value: value.data, quality: 'good' });
  }
  return { samples };
}
