import { createServer, type ServerResponse } from 'node:http';
import { type Change, type ChangeEntity, EDGE_ASSERTION_AUDIENCE } from '@unison/contracts';
import { importJWK, type JWK, jwtVerify } from 'jose';

export interface FeedAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A plant's change feed as the contract describes it, in memory, for downlink tests: snapshots in
 * pages that hand over to the change log, long-poll, refetch for expired cursors, and scripted
 * answers (faults, malformed pages) a test puts in front.
 */
export async function startFeedServer({
  edgePublicKey,
  pageSize = 2,
}: {
  /** When given, every request must carry an assertion signed with this key. */
  edgePublicKey?: JWK;
  pageSize?: number;
} = {}) {
  let version = 0;
  let retainedFrom = 0;
  const rows = new Map<string, Extract<Change, { op: 'upsert' }>>();
  const log: Change[] = [];
  const scripted: FeedAnswer[] = [];
  const requests: { cursor: string | null; wait: number; status: number }[] = [];
  const waiters = new Set<() => void>();
  let holding = 0;
  const verifyKey = edgePublicKey ? await importJWK(edgePublicKey, 'EdDSA') : undefined;

  const notify = () => {
    for (const wake of [...waiters]) wake();
  };
  const sortedRows = () => [...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, row]) => row);

  function snapshotPage(startVersion: number, offset: number): FeedAnswer {
    const all = sortedRows();
    const changes = all.slice(offset, offset + pageSize);
    const end = offset + changes.length >= all.length;
    const cursor = end ? `log:${startVersion}` : `snap:${startVersion}:${offset + changes.length}`;
    const more = !end || log.some((change) => change.version > startVersion);
    return { status: 200, body: { kind: 'snapshot', reset: offset === 0, changes, cursor, more } };
  }

  function logPage(after: number): FeedAnswer | undefined {
    if (after < retainedFrom) {
      return {
        status: 200,
        body: { kind: 'refetch', reason: 'cursor is older than the retained change log' },
      };
    }
    const pending = log.filter((change) => change.version > after);
    if (pending.length === 0) return undefined;
    const changes = pending.slice(0, pageSize);
    const cursor = `log:${changes.at(-1)!.version}`;
    return { status: 200, body: { kind: 'changes', changes, cursor, more: pending.length > changes.length } };
  }

  async function answer(cursor: string | null, waitS: number, closed: Promise<void>): Promise<FeedAnswer> {
    const next = scripted.shift();
    if (next) return next;
    if (cursor === null) return snapshotPage(version, 0);
    const snapshot = /^snap:(\d+):(\d+)$/.exec(cursor);
    if (snapshot) return snapshotPage(Number(snapshot[1]), Number(snapshot[2]));
    const position = /^log:(\d+)$/.exec(cursor);
    if (!position) return { status: 400, body: { title: 'Bad Request', status: 400, detail: 'bad cursor' } };
    const after = Number(position[1]);
    const deadline = Date.now() + waitS * 1000;
    for (;;) {
      const page = logPage(after);
      if (page) return page;
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0)
        return { status: 200, body: { kind: 'changes', changes: [], cursor, more: false } };
      holding += 1;
      let wake = () => {};
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      waiters.add(wake);
      const timer = setTimeout(wake, remainingMs);
      const gone = await Promise.race([woken.then(() => false), closed.then(() => true)]);
      clearTimeout(timer);
      waiters.delete(wake);
      holding -= 1;
      if (gone) return { status: 499, body: {} };
    }
  }

  async function authorized(header: string | undefined): Promise<boolean> {
    if (!verifyKey) return true;
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    if (!token) return false;
    try {
      await jwtVerify(token, verifyKey, { audience: EDGE_ASSERTION_AUDIENCE, algorithms: ['EdDSA'] });
      return true;
    } catch {
      return false;
    }
  }

  const send = (response: ServerResponse, { status, body, headers }: FeedAnswer) => {
    if (response.destroyed) return;
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://feed');
    const cursor = url.searchParams.get('cursor');
    const wait = Number(url.searchParams.get('wait') ?? 0);
    const closed = new Promise<void>((resolve) => response.once('close', () => resolve()));
    const handle = async (): Promise<FeedAnswer> => {
      if (url.pathname !== '/api/v1/sync/changes') return { status: 404, body: {} };
      if (!(await authorized(request.headers.authorization))) {
        return { status: 401, body: { title: 'Unauthorized', status: 401, detail: 'bad edge assertion' } };
      }
      return answer(cursor, wait, closed);
    };
    handle().then((result) => {
      requests.push({ cursor, wait, status: result.status });
      send(response, result);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Long-poll requests being held right now. */
    holding: () => holding,
    version: () => version,
    upsert(entity: ChangeEntity, row: { id: string } & Record<string, unknown>) {
      version += 1;
      const change = { op: 'upsert' as const, version, entity, id: row.id, row };
      rows.set(`${entity}/${row.id}`, change);
      log.push(change);
      notify();
      return version;
    },
    remove(entity: ChangeEntity, id: string) {
      version += 1;
      rows.delete(`${entity}/${id}`);
      log.push({ op: 'delete', version, entity, id });
      notify();
      return version;
    },
    /** Change-log cursors older than now get `refetch`. */
    expireLog() {
      retainedFrom = version;
    },
    /** The next requests get these answers, whatever they ask. */
    answerNext(...answers: FeedAnswer[]) {
      scripted.push(...answers);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FeedServer = Awaited<ReturnType<typeof startFeedServer>>;
