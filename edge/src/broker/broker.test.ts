import { waitFor } from '@unison/testkit';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from './broker.password.ts';
import { type Broker, startBroker } from './broker.ts';

const log = pino({ level: 'silent' });

describe('embedded broker', () => {
  it('relays messages between clients and stops cleanly', async () => {
    const broker = await startBroker({ host: '127.0.0.1', port: 0, log });
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const subscriber = await mqtt.connectAsync(url);
    await subscriber.subscribeAsync('plant/#');
    const received: string[] = [];
    subscriber.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
    const publisher = await mqtt.connectAsync(url);
    await publisher.publishAsync('plant/line-1', 'hello');
    await broker.publish('plant/edge', 'from inside', { retain: true });
    await waitFor(() => (received.length > 1 ? true : undefined));
    expect(received.sort()).toEqual(['plant/edge from inside', 'plant/line-1 hello']);
    expect(broker.clients()).toBe(2);
    await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
    await broker.stop();
    await broker.stop();
  });
});

describe('embedded broker with device credentials', () => {
  let broker: Broker;
  let url: string;
  const connect = (username: string, password: string) =>
    mqtt.connectAsync(url, { username, password, reconnectPeriod: 0 });

  beforeAll(async () => {
    const cost = { N: 1024 };
    broker = await startBroker({
      host: '127.0.0.1',
      port: 0,
      log,
      users: [
        {
          username: 'filler-1',
          passwordHash: await hashPassword('f1-pass', cost),
          publish: ['machines/%u/#'],
          subscribe: ['machines/%u/cmd'],
        },
        {
          username: 'mes',
          passwordHash: await hashPassword('mes-pass', cost),
          publish: [],
          subscribe: ['machines/#'],
        },
      ],
    });
    url = `mqtt://127.0.0.1:${broker.port}`;
  });
  afterAll(() => broker.stop());

  it('refuses unknown users, wrong passwords and anonymous clients', async () => {
    await expect(connect('filler-1', 'wrong')).rejects.toThrow(/Bad username or password/i);
    await expect(connect('nobody', 'x')).rejects.toThrow(/Bad username or password/i);
    await expect(mqtt.connectAsync(url, { reconnectPeriod: 0 })).rejects.toThrow(/Bad username or password/i);
  });

  it('lets each device publish and subscribe only to its own topics', async () => {
    const mes = await connect('mes', 'mes-pass');
    expect((await mes.subscribeAsync('machines/#', { qos: 1 }))[0]?.qos).toBe(1);
    // SUBACK 0x80: mqtt.js turns a refused filter into an error.
    await expect(mes.subscribeAsync('other/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    const received: string[] = [];
    mes.on('message', (topic) => received.push(topic));

    const filler = await connect('filler-1', 'f1-pass');
    await filler.publishAsync('machines/filler-1/status', 'ok', { qos: 1 });
    await waitFor(() => (received.length === 1 ? true : undefined));
    await expect(filler.subscribeAsync('machines/filler-2/cmd')).rejects.toThrow(/Subscribe error/);
    expect((await filler.subscribeAsync('machines/filler-1/cmd'))[0]?.qos).toBe(0);

    // Publishing outside its topics costs the device its connection (MQTT 3.1.1 has no negative PUBACK).
    const closed = new Promise<void>((resolve) => filler.once('close', () => resolve()));
    filler.publish('machines/filler-2/status', 'spoofed', { qos: 1 });
    await closed;
    await broker.publish('machines/filler-1/marker', 'm');
    await waitFor(() => (received.includes('machines/filler-1/marker') ? true : undefined));
    expect(received).not.toContain('machines/filler-2/status');
    await filler.endAsync(true);
    await mes.endAsync();
  });
});
