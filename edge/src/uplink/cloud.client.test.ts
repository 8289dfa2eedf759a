import { createServer, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createCloudClient } from './cloud.client.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A server that takes each request's whole body, then answers only when the test says so. */
async function slowCloud() {
  const bodies: { gzip: boolean; text: string }[] = [];
  const answers: (() => void)[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const gzip = request.headers['content-encoding'] === 'gzip';
    const raw = Buffer.concat(chunks);
    bodies.push({ gzip, text: (gzip ? gunzipSync(raw) : raw).toString('utf8') });
    answers.push(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ stream: 'samples', epoch: EPOCH, ackedSeq: 1, written: 1, duplicates: 0 }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, bodies, answers };
}

const EPOCH = '0195f3a2-6b8c-7d4e-9f00-112233445566';

describe('cloud client: uploads', () => {
  it('tells when the body is on the wire, before the answer', async () => {
    const cloud = await slowCloud();
    const client = createCloudClient({ baseUrl: cloud.url });
    const json = JSON.stringify({ stream: 'samples', epoch: EPOCH, records: [{ seq: 1 }] }).padEnd(4096);
    const body = await client.encode(json);
    expect(body.gzip).toBe(true);
    const sent = Promise.withResolvers<void>();
    let answered = false;
    const answer = client.upload(body, 'token-1', undefined, sent.resolve).then((outcome) => {
      answered = true;
      return outcome;
    });
    await sent.promise;
    expect(answered).toBe(false);
    await new Promise<void>((resolve) => {
      const check = () => (cloud.answers.length > 0 ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(cloud.bodies).toEqual([{ gzip: true, text: json }]);
    cloud.answers[0]!();
    expect(await answer).toMatchObject({ kind: 'ok', body: { ackedSeq: 1 } });
  });

  it('tells at the latest with the outcome when the request never left', async () => {
    const client = createCloudClient({ baseUrl: 'http://127.0.0.1:1' });
    let sentCalls = 0;
    const outcome = await client.upload(await client.encode('{}'), 'token-2', undefined, () => {
      sentCalls += 1;
    });
    expect(outcome.kind).toBe('retry');
    expect(sentCalls).toBe(1);
  });

  it('sends small bodies as they are and large ones compressed', async () => {
    const client = createCloudClient({ baseUrl: 'http://127.0.0.1:1', compressMinBytes: 100 });
    expect(await client.encode('{"a":1}')).toEqual({ payload: '{"a":1}', gzip: false });
    const large = JSON.stringify({ records: Array.from({ length: 50 }, (_, seq) => ({ seq })) });
    const encoded = await client.encode(large);
    expect(encoded.gzip).toBe(true);
    expect(gunzipSync(encoded.payload as Uint8Array).toString('utf8')).toBe(large);
  });
});
