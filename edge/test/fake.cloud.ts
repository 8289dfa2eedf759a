import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import {
  EDGE_ASSERTION_AUDIENCE,
  EnrollRequest,
  UploadBatch,
  type UploadEventRecord,
  type UploadRecord,
} from '@unison/contracts';
import { decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose';

export interface Fault {
  status: number;
  /** Store the batch first, then answer with this fault: an acknowledgement lost on the way back. */
  afterWrite?: boolean;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeCloudOptions {
  port?: number;
  enrollmentCode?: string;
  /** Answer a batch that starts at or below the cursor with 409 instead of acknowledging the replay. */
  refuseReplays?: boolean;
  /** Store at most this many new records per batch (a cloud that acknowledges part of a batch). */
  maxWritePerBatch?: number;
}

/** The cloud's sync contract, in memory, with faults a test can inject and assertions it verifies. */
export async function startFakeCloud({
  port = 0,
  enrollmentCode = 'enroll-code-123',
  refuseReplays = false,
  maxWritePerBatch = Number.POSITIVE_INFINITY,
}: FakeCloudOptions = {}) {
  const edges = new Map<string, { publicKey: JWK; organizationId: string; plantId: string }>();
  const cursors = new Map<string, number>();
  const stored: UploadRecord[] = [];
  const storedEvents: UploadEventRecord[] = [];
  const uploads: { stream: string; gzip: boolean }[] = [];
  const faults: Fault[] = [];
  const seenJti = new Set<string>();
  const requests: { path: string; atMs: number; status: number }[] = [];
  const assertionErrors: string[] = [];

  async function verify(request: IncomingMessage): Promise<string> {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw new Error('no bearer token');
    const { kid, alg } = decodeProtectedHeader(token);
    const edge = kid ? edges.get(kid) : undefined;
    if (!edge || alg !== 'EdDSA') throw new Error(`unknown edge ${kid}`);
    const { payload } = await jwtVerify(token, await importJWK(edge.publicKey, 'EdDSA'), {
      audience: EDGE_ASSERTION_AUDIENCE,
      issuer: kid,
      subject: kid,
      algorithms: ['EdDSA'],
    });
    if (!payload.jti || seenJti.has(payload.jti)) throw new Error(`replayed jti ${payload.jti}`);
    if ((payload.exp ?? 0) - (payload.iat ?? 0) !== 60) throw new Error('lifetime is not 60 s');
    seenJti.add(payload.jti);
    return kid!;
  }

  function upload(batch: UploadBatch) {
    const cursorKey = `${batch.stream}/${batch.epoch}`;
    const cursor = cursors.get(cursorKey) ?? 0;
    const first = batch.records[0]!.seq;
    // As the cloud: a hole in samples is no gap where the edge declares it dropped them.
    const dropped = batch.stream === 'samples' ? (batch.droppedThroughSeq ?? 0) : 0;
    if ((first > cursor + 1 && dropped < first - 1) || (refuseReplays && first <= cursor)) {
      return {
        status: 409,
        body: { type: 'gap', title: 'gap', status: 409, detail: 'not the next seq', expectedSeq: cursor + 1 },
      };
    }
    const fresh = (batch.records as { seq: number }[])
      .filter((r) => r.seq > cursor)
      .slice(0, maxWritePerBatch);
    if (batch.stream === 'samples') stored.push(...(fresh as UploadRecord[]));
    else storedEvents.push(...(fresh as UploadEventRecord[]));
    const ackedSeq = fresh.at(-1)?.seq ?? cursor;
    cursors.set(cursorKey, ackedSeq);
    const body = { stream: batch.stream, epoch: batch.epoch, ackedSeq, written: fresh.length };
    return { status: 200, body: { ...body, duplicates: batch.records.length - fresh.length } };
  }

  async function handle(request: IncomingMessage): Promise<Fault> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    const json = JSON.parse(body.toString('utf8') || 'null');
    if (request.url === '/api/v1/edges/enroll') {
      const enroll = EnrollRequest.parse(json);
      if (enroll.code !== enrollmentCode) return { status: 403, body: { title: 'bad code' } };
      const ids = { edgeId: randomUUID(), organizationId: randomUUID(), plantId: randomUUID() };
      edges.set(ids.edgeId, { publicKey: enroll.publicKey as JWK, ...ids });
      return { status: 201, body: ids };
    }
    if (request.url === '/api/v1/sync/upload') {
      const fault = faults.shift();
      if (fault && !fault.afterWrite) return fault;
      try {
        await verify(request);
      } catch (error) {
        assertionErrors.push((error as Error).message);
        return { status: 401, body: { title: (error as Error).message } };
      }
      const batch = UploadBatch.safeParse(json);
      if (!batch.success) return { status: 400, body: { title: batch.error.message } };
      uploads.push({ stream: batch.data.stream, gzip: request.headers['content-encoding'] === 'gzip' });
      const answer = upload(batch.data);
      return fault ?? answer;
    }
    return { status: 404, body: {} };
  }

  const server: Server = createServer((request, response) => {
    handle(request)
      .catch((error: Error) => ({ status: 500, body: { title: error.message } }) as Fault)
      .then(({ status, headers, body }) => {
        requests.push({ path: request.url ?? '', atMs: Date.now(), status });
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(body ?? {}));
      });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;

  return {
    url: `http://127.0.0.1:${boundPort}`,
    port: boundPort,
    stored,
    storedEvents,
    uploads,
    requests,
    assertionErrors,
    edges,
    seenJti,
    /** The next uploads get these answers, whatever they carry. */
    failNext: (...next: Fault[]) => faults.push(...next),
    setCursor: (epoch: string, seq: number, stream = 'samples') => cursors.set(`${stream}/${epoch}`, seq),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeCloud = Awaited<ReturnType<typeof startFakeCloud>>;
