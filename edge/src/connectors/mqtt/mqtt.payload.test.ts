import { describe, expect, it } from 'vitest';
import { parseMessage, parsePath, pick, topicMatches } from './mqtt.payload.ts';
import { rejectedRing } from './mqtt.rejected.ts';

describe('mqtt payload mapping', () => {
  it('matches topic filters with + and #', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/d')).toBe(false);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('+/+', 'a/b/c')).toBe(false);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
  });

  it('follows key and array paths', () => {
    const body = { values: [{ v: 1 }, { v: 2, n: { deep: [7, 8] } }], flat: 3 };
    expect(parsePath('values[1].n.deep[0]')).toEqual(['values', 1, 'n', 'deep', 0]);
    expect(parsePath('a..b')).toBeUndefined();
    expect(pick(body, 'values[0].v')).toBe(1);
    expect(pick(body, 'values[1].n.deep[1]')).toBe(8);
    expect(pick(body, 'values[5].v')).toBeUndefined();
    expect(pick(body, 'flat[0]')).toBeUndefined();
    expect(pick(body, 'values.v')).toBeUndefined();
    expect(pick([[1, 2]], '[0][1]')).toBe(2);
  });

  it('refuses payloads that are not JSON or have the wrong shape, with a reason', () => {
    const subscription = {
      topic: 'm/+',
      machineFromTopicLevel: 1,
      fields: [{ tag: 't', path: 'values[0].v' }],
    };
    const parse = (text: string) => parseMessage(subscription, 'm/filler-1', Buffer.from(text), 5);
    expect(parse('{"values":[{"v":4.5}]}')).toEqual({
      samples: [{ machine: 'filler-1', tag: 't', tsMs: 5, value: 4.5, quality: 'good' }],
    });
    expect(parse('{"values":')).toEqual({ rejected: 'payload is not JSON' });
    expect(parse('{"values":[{"v":{"x":1}}]}')).toEqual({
      rejected: 'field values[0].v is missing or not a scalar',
    });
    expect(parse('[1,2]')).toEqual({ rejected: 'field values[0].v is missing or not a scalar' });
  });

  it('keeps the last rejected messages, payloads cut short', () => {
    const ring = rejectedRing({ capacity: 2, previewBytes: 4 });
    for (const [i, text] of ['first', 'second', 'third!'].entries()) {
      ring.add({ atMs: i, topic: `t/${i}`, reason: 'bad', payload: Buffer.from(text) });
    }
    expect(ring.list()).toEqual([
      { atMs: 1, topic: 't/1', reason: 'bad', sizeBytes: 6, payload: 'seco', truncated: true },
      { atMs: 2, topic: 't/2', reason: 'bad', sizeBytes: 6, payload: 'thir', truncated: true },
    ]);
  });
});
