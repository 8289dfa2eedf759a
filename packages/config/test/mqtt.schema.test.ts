import { describe, expect, it } from 'vitest';
import { ConfigError, EmbeddedBroker, parsePlantConfig, UnsConfig } from '../src/index.ts';

const plant = (connectors: string) => `
edge: { name: e1, plant: p1 }
cloud: { url: "http://127.0.0.1:8080" }
machines: [{ id: filler-1, name: Filler 1 }]
connectors:
${connectors}
`;

function problemsOf(text: string): string[] {
  try {
    parsePlantConfig(text, 'plant.yaml', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('MQTT, Sparkplug, broker and UNS config', () => {
  it('reads a Sparkplug host connector with defaults', () => {
    const config = parsePlantConfig(
      plant(`  - id: spb
    type: sparkplug
    url: mqtt://127.0.0.1:1883
    sources: [{ group: plant, node: line-4, device: filler-1, machine: filler-1, metrics: { "Motor/Speed": speed } }]`),
      'plant.yaml',
      {},
    );
    expect(config.connectors[0]).toMatchObject({
      type: 'sparkplug',
      hostId: 'unison',
      rebirthTimeoutMs: 5000,
    });
  });

  it('names a Sparkplug source with an unknown machine or a bad id', () => {
    const badGroup = problemsOf(
      plant(
        `  - { id: spb, type: sparkplug, url: "mqtt://h", sources: [{ group: "a/b", node: n, machine: filler-1 }] }`,
      ),
    );
    expect(badGroup.join('\n')).toMatch(/connectors\[0\]\.sources\[0\]\.group: one topic level/);
    const unknown = problemsOf(
      plant(
        `  - { id: spb, type: sparkplug, url: "mqtt://h", sources: [{ group: g, node: n, machine: nope }] }`,
      ),
    );
    expect(unknown.join('\n')).toMatch(/connectors\[0\]\.sources\[0\]\.machine: unknown machine "nope"/);
  });

  it('takes JSON paths with array indexes and a rejected-message ring size', () => {
    const config = parsePlantConfig(
      plant(`  - id: m
    type: mqtt
    url: mqtt://127.0.0.1:1884
    rejectedKeep: "20"
    subscriptions: [{ topic: "a/+/b", machineFromTopicLevel: 1, fields: [{ tag: speed, path: "values[0].v" }] }]`),
      'plant.yaml',
      {},
    );
    expect(config.connectors[0]).toMatchObject({ rejectedKeep: 20 });
  });

  it('holds broker users with scrypt hashes only, and UNS defaults', () => {
    const hash = `scrypt$16384$8$1$${'a'.repeat(24)}$${'b'.repeat(44)}`;
    expect(
      EmbeddedBroker.parse({ users: [{ username: 'filler-1', passwordHash: hash, publish: ['m/%u/#'] }] }),
    ).toMatchObject({
      host: '0.0.0.0',
      port: 1883,
      users: [{ username: 'filler-1', publish: ['m/%u/#'], subscribe: [] }],
    });
    expect(EmbeddedBroker.safeParse({ users: [{ username: 'x', passwordHash: 'hunter2' }] }).success).toBe(
      false,
    );
    expect(UnsConfig.parse({})).toEqual({ root: 'unison' });
  });
});
