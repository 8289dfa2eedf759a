import { waitFor } from '@unison/testkit';
import mqtt from 'mqtt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startBroker } from './broker.ts';

describe('embedded broker', () => {
  it('relays messages between clients and stops cleanly', async () => {
    const broker = await startBroker({ host: '127.0.0.1', port: 0, log: pino({ level: 'silent' }) });
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const subscriber = await mqtt.connectAsync(url);
    await subscriber.subscribeAsync('plant/#');
    const received: string[] = [];
    subscriber.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
    const publisher = await mqtt.connectAsync(url);
    await publisher.publishAsync('plant/line-1', 'hello');
    await waitFor(() => (received.length > 0 ? true : undefined));
    expect(received).toEqual(['plant/line-1 hello']);
    expect(broker.clients()).toBe(2);
    await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
    await broker.stop();
  });
});
