import { describe, expect, it } from 'vitest';
import { decodeSparkplug, encodeSparkplug, rebirthRequest } from './sparkplug.codec.ts';
import { sparkplugSessions } from './sparkplug.session.ts';
import { parseSparkplugTopic, sparkplugTopic } from './sparkplug.topic.ts';

const sources = [
  { group: 'g', node: 'n1', machine: 'filler-1' },
  {
    group: 'g',
    node: 'n1',
    device: 'd1',
    machine: 'filler-2',
    metrics: { 'Motor/Speed': 'speed', Count: 'good' },
  },
];

function setup() {
  let clock = 1_000;
  const sessions = sparkplugSessions({ sources, rebirthTimeoutMs: 5000, now: () => clock });
  const send = (topic: string, payload: Parameters<typeof encodeSparkplug>[0]) => {
    const parsed = parseSparkplugTopic(topic);
    if (!parsed) throw new Error(`not a sparkplug topic: ${topic}`);
    return sessions.handle(parsed, decodeSparkplug(encodeSparkplug(payload)));
  };
  const nbirth = (bdSeq: number) =>
    send('spBv1.0/g/NBIRTH/n1', {
      timestamp: 500,
      seq: 0,
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: bdSeq },
        { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
        { name: 'Temp C', alias: 1, type: 'Float', value: 21.5 },
      ],
    });
  const dbirth = (seq: number) =>
    send('spBv1.0/g/DBIRTH/n1/d1', {
      timestamp: 600,
      seq,
      metrics: [
        { name: 'Motor/Speed', alias: 2, type: 'Double', value: 100 },
        { name: 'Count', alias: 3, type: 'UInt32', value: 7 },
        { name: 'Ignored', alias: 4, type: 'Int16', value: 1 },
      ],
    });
  return { sessions, send, nbirth, dbirth, advance: (ms: number) => (clock += ms) };
}

describe('sparkplug host sessions', () => {
  it('parses and builds topics', () => {
    expect(parseSparkplugTopic('spBv1.0/g/DDATA/n/d')).toEqual({
      group: 'g',
      type: 'DDATA',
      node: 'n',
      device: 'd',
    });
    expect(parseSparkplugTopic('spBv1.0/g/NDATA/n/d')).toBeUndefined();
    expect(parseSparkplugTopic('spBv1.0/STATE/host')).toBeUndefined();
    expect(sparkplugTopic({ group: 'g', type: 'NCMD', node: 'n' })).toBe('spBv1.0/g/NCMD/n');
    const rebirth = decodeSparkplug(rebirthRequest(5));
    expect(rebirth.metrics).toMatchObject([{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }]);
  });

  it('turns births into samples and resolves aliases in data', () => {
    const { send, nbirth, dbirth } = setup();
    expect(nbirth(3).samples).toEqual([
      { machine: 'filler-1', tag: 'Temp_C', tsMs: 500, value: 21.5, quality: 'good' },
    ]);
    expect(dbirth(1).samples).toEqual([
      { machine: 'filler-2', tag: 'speed', tsMs: 600, value: 100, quality: 'good' },
      { machine: 'filler-2', tag: 'good', tsMs: 600, value: 7, quality: 'good' },
    ]);
    const data = send('spBv1.0/g/DDATA/n1/d1', {
      timestamp: 700,
      seq: 2,
      metrics: [
        { alias: 2, type: 'Double', value: 120, timestamp: 690 },
        { alias: 3, type: 'UInt32', value: 8, properties: { Quality: { type: 'Int32', value: 64 } } },
        { alias: 2, type: 'Double', value: Number.NaN },
      ],
    });
    expect(data.rebirth).toBeUndefined();
    expect(data.samples).toEqual([
      { machine: 'filler-2', tag: 'speed', tsMs: 690, value: 120, quality: 'good' },
      { machine: 'filler-2', tag: 'good', tsMs: 700, value: 8, quality: 'uncertain' },
      { machine: 'filler-2', tag: 'speed', tsMs: 700, value: null, quality: 'bad' },
    ]);
  });

  it('asks for a rebirth on a seq gap (wrapping at 255), on unknown aliases and on data before birth', () => {
    const { send, nbirth, dbirth, advance } = setup();
    expect(send('spBv1.0/g/NDATA/n1', { seq: 4, metrics: [] }).rebirth).toMatchObject({
      reason: 'NDATA before NBIRTH',
    });
    advance(10_000);
    nbirth(0);
    dbirth(1);
    const gap = send('spBv1.0/g/DDATA/n1/d1', { seq: 5, metrics: [{ alias: 2, type: 'Double', value: 1 }] });
    expect(gap.rebirth).toEqual({ group: 'g', node: 'n1', reason: 'seq gap (got 5, expected 2)' });
    expect(gap.samples).toHaveLength(1);
    // One request per rebirthTimeoutMs, however many gaps follow.
    expect(send('spBv1.0/g/NDATA/n1', { seq: 9, metrics: [] }).rebirth).toBeUndefined();
    advance(10_000);
    nbirth(0);
    for (let seq = 1; seq <= 255; seq++)
      expect(send('spBv1.0/g/NDATA/n1', { seq, metrics: [] }).rebirth).toBeUndefined();
    expect(send('spBv1.0/g/NDATA/n1', { seq: 0, metrics: [] }).rebirth).toBeUndefined();
    expect(
      send('spBv1.0/g/NDATA/n1', { seq: 1, metrics: [{ alias: 99, type: 'Int32', value: 1 }] }).rebirth,
    ).toMatchObject({
      reason: 'unknown alias 99',
    });
  });

  it('marks tags bad on a death with the birth bdSeq, ignores a stale one', () => {
    const { send, nbirth, dbirth } = setup();
    nbirth(7);
    dbirth(1);
    expect(send('spBv1.0/g/DDEATH/n1/d1', { seq: 2, metrics: [] }).samples).toEqual([
      { machine: 'filler-2', tag: 'speed', tsMs: 1_000, value: null, quality: 'bad' },
      { machine: 'filler-2', tag: 'good', tsMs: 1_000, value: null, quality: 'bad' },
    ]);
    dbirth(3);
    const stale = send('spBv1.0/g/NDEATH/n1', { metrics: [{ name: 'bdSeq', type: 'UInt64', value: 6 }] });
    expect(stale.samples).toEqual([]);
    expect(stale.warning).toMatch(/bdSeq 6 does not match the birth's 7/);
    const death = send('spBv1.0/g/NDEATH/n1', { metrics: [{ name: 'bdSeq', type: 'UInt64', value: 7 }] });
    expect(death.samples.map((s) => `${s.machine}/${s.tag}=${s.quality}`).sort()).toEqual([
      'filler-1/Temp_C=bad',
      'filler-2/good=bad',
      'filler-2/speed=bad',
    ]);
  });

  it('records historical values but keeps them out of the latest values', () => {
    const { send, nbirth, dbirth, sessions } = setup();
    nbirth(1);
    dbirth(1);
    const late = send('spBv1.0/g/DDATA/n1/d1', {
      seq: 2,
      metrics: [{ alias: 3, type: 'UInt32', value: 3, timestamp: 100, isHistorical: true }],
    });
    expect(late.samples).toEqual([
      { machine: 'filler-2', tag: 'good', tsMs: 100, value: 3, quality: 'good', historical: true },
    ]);
    // The broker going away marks the latest values bad, and those are the births', not the back-fill.
    expect(sessions.lost().filter((s) => s.tag === 'good')).toEqual([
      { machine: 'filler-2', tag: 'good', tsMs: 1_000, value: null, quality: 'bad' },
    ]);
  });
});
