import type { SparkplugSourceConfig } from '@unison/config';
import type { Sample } from '@unison/contracts';
import type { SparkplugMessage, SparkplugMetric } from './sparkplug.codec.ts';
import { metricQuality, tagForMetric } from './sparkplug.tags.ts';
import type { SparkplugTopic } from './sparkplug.topic.ts';

/** What the host must do after a message: record samples, maybe ask the node for a rebirth. */
export interface SessionOutcome {
  samples: Sample[];
  rebirth?: { group: string; node: string; reason: string };
  /** Something an engineer should read in the log. */
  warning?: string;
}

interface NodeSession {
  born: boolean;
  bdSeq?: number;
  seq?: number;
  aliases: Map<number, string>;
  devicesBorn: Set<string>;
  /** Latest non-historical sample per scope ('' for the node, else the device) and tag. */
  latest: Map<string, Map<string, Sample>>;
  rebirthRequestedAtMs?: number;
}

export interface SparkplugSessionsOptions {
  sources: SparkplugSourceConfig[];
  rebirthTimeoutMs: number;
  now?: () => number;
}

/** The host application's view of every edge node: births, aliases, sequence numbers and deaths. */
export function sparkplugSessions({ sources, rebirthTimeoutMs, now = Date.now }: SparkplugSessionsOptions) {
  const nodes = new Map<string, NodeSession>();
  const sourceKey = (group: string, node: string, device?: string) => `${group}/${node}/${device ?? ''}`;
  const sourceByKey = new Map(sources.map((s) => [sourceKey(s.group, s.node, s.device), s]));

  function session(group: string, node: string): NodeSession {
    const key = `${group}/${node}`;
    let found = nodes.get(key);
    if (!found) {
      found = { born: false, aliases: new Map(), devicesBorn: new Set(), latest: new Map() };
      nodes.set(key, found);
    }
    return found;
  }

  function toSamples(
    topic: SparkplugTopic,
    state: NodeSession,
    message: SparkplugMessage,
    outcome: SessionOutcome,
  ) {
    const source = sourceByKey.get(sourceKey(topic.group, topic.node, topic.device));
    const scope = topic.device ?? '';
    for (const metric of message.metrics) {
      const name = resolveName(state, metric, topic.type.endsWith('BIRTH'));
      if (name === undefined) {
        outcome.rebirth ??= rebirth(topic, state, `unknown alias ${metric.alias}`);
        continue;
      }
      const tag = source ? tagForMetric(source, name) : undefined;
      if (!source || tag === undefined || (metric.value === undefined && !metric.isNull)) continue;
      const sample: Sample = {
        machine: source.machine,
        tag,
        tsMs: metric.tsMs ?? message.tsMs ?? now(),
        value: metric.isNull ? null : (metric.value ?? null),
        quality: metricQuality(metric),
      };
      if (metric.isHistorical) sample.historical = true;
      else latestOf(state, scope).set(tag, sample);
      outcome.samples.push(sample);
    }
  }

  function resolveName(state: NodeSession, metric: SparkplugMetric, isBirth: boolean): string | undefined {
    if (isBirth && metric.name !== undefined && metric.alias !== undefined)
      state.aliases.set(metric.alias, metric.name);
    if (metric.name) return metric.name;
    return metric.alias === undefined ? undefined : state.aliases.get(metric.alias);
  }

  function latestOf(state: NodeSession, scope: string) {
    let tags = state.latest.get(scope);
    if (!tags) {
      tags = new Map();
      state.latest.set(scope, tags);
    }
    return tags;
  }

  /** Asks once per rebirthTimeoutMs, so a gap storm does not flood the node with NCMDs. */
  function rebirth(topic: SparkplugTopic, state: NodeSession, reason: string): SessionOutcome['rebirth'] {
    const at = now();
    if (state.rebirthRequestedAtMs !== undefined && at - state.rebirthRequestedAtMs < rebirthTimeoutMs)
      return undefined;
    state.rebirthRequestedAtMs = at;
    return { group: topic.group, node: topic.node, reason };
  }

  function markBad(state: NodeSession, scopes: string[]): Sample[] {
    const tsMs = now();
    const samples: Sample[] = [];
    for (const scope of scopes) {
      for (const latest of state.latest.get(scope)?.values() ?? []) {
        samples.push({ machine: latest.machine, tag: latest.tag, tsMs, value: null, quality: 'bad' });
      }
      state.latest.delete(scope);
    }
    return samples;
  }

  function bdSeqOf(message: SparkplugMessage): number | undefined {
    const metric = message.metrics.find((m) => m.name === 'bdSeq');
    return typeof metric?.value === 'number' ? metric.value : undefined;
  }

  return {
    handle(topic: SparkplugTopic, message: SparkplugMessage): SessionOutcome {
      const state = session(topic.group, topic.node);
      const outcome: SessionOutcome = { samples: [] };
      const where = `${topic.group}/${topic.node}${topic.device ? `/${topic.device}` : ''}`;

      if (topic.type === 'NBIRTH') {
        state.born = true;
        state.bdSeq = bdSeqOf(message);
        state.seq = message.seq;
        state.aliases.clear();
        state.devicesBorn.clear();
        state.rebirthRequestedAtMs = undefined;
        toSamples(topic, state, message, outcome);
        return outcome;
      }
      if (topic.type === 'NDEATH') {
        const bdSeq = bdSeqOf(message);
        if (!state.born) return outcome;
        if (bdSeq !== undefined && state.bdSeq !== undefined && bdSeq !== state.bdSeq) {
          outcome.warning = `${where}: NDEATH bdSeq ${bdSeq} does not match the birth's ${state.bdSeq}; ignored`;
          return outcome;
        }
        state.born = false;
        state.seq = undefined;
        outcome.samples = markBad(state, [...state.latest.keys()]);
        return outcome;
      }
      if (topic.type === 'NCMD' || topic.type === 'DCMD') return outcome;

      if (!state.born) {
        outcome.rebirth = rebirth(topic, state, `${topic.type} before NBIRTH`);
        return outcome;
      }
      const expected = state.seq === undefined ? undefined : (state.seq + 1) % 256;
      if (message.seq !== expected) {
        outcome.warning = `${where}: ${topic.type} seq ${message.seq}, expected ${expected}`;
        outcome.rebirth = rebirth(topic, state, `seq gap (got ${message.seq}, expected ${expected})`);
      }
      state.seq = message.seq;
      const device = topic.device ?? '';
      if (topic.type === 'DBIRTH') {
        state.devicesBorn.add(device);
        toSamples(topic, state, message, outcome);
      } else if (topic.type === 'DDEATH') {
        state.devicesBorn.delete(device);
        outcome.samples = markBad(state, [device]);
      } else if (topic.type === 'DDATA' && !state.devicesBorn.has(device)) {
        outcome.rebirth ??= rebirth(topic, state, `DDATA from ${device} before its DBIRTH`);
      } else {
        toSamples(topic, state, message, outcome);
      }
      return outcome;
    },

    /** The broker is gone: nothing heard so far can be vouched for, and every node must be born again. */
    lost(): Sample[] {
      const samples: Sample[] = [];
      for (const state of nodes.values()) {
        samples.push(...markBad(state, [...state.latest.keys()]));
        state.born = false;
        state.seq = undefined;
        state.rebirthRequestedAtMs = undefined;
      }
      return samples;
    },
  };
}

export type SparkplugSessions = ReturnType<typeof sparkplugSessions>;
