// The process as an operator runs it (node subgraph/main.ts): a bad configuration stops the start with one
// line naming the variable, and SIGTERM drains in-flight requests and closes subscriptions cleanly before
// exiting 0 (development mode's start, with a minted token, is development-mode.test.ts's).
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { spawnMain, spawnSubgraph } from '../support/spawn-subgraph';
import type { SpawnedSubgraph } from '../support/spawn-subgraph';
import { gql, TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { waitUntil } from '../support/wait-for';
import { jsonLines } from '../support/logs';

jest.setTimeout(60_000);

const INGEST = `mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { documentId chunks } }`;
const SEARCH = `query($q: String!) {
  search(input: { query: $q, limit: 5 }) {
    __typename
    ... on DegradedSearchResults { hits { documentId } reason }
    ... on SearchResults { hits { documentId } }
  }
}`;

// Large enough that each ingest takes tens of milliseconds, so the drain overlaps real work; small enough that
// all of them finish well within the drain's grace (SHUTDOWN_GRACE_MS below) on a loaded machine.
const INGEST_BYTES = 50_000;

const dataDirs: string[] = [];
const running: SpawnedSubgraph[] = [];

function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ai-subgraph-e2e-'));
  dataDirs.push(dir);
  return dir;
}

async function start(env: Record<string, string>): Promise<SpawnedSubgraph> {
  const subgraph = await spawnSubgraph(env);
  running.push(subgraph);
  return subgraph;
}

afterAll(async () => {
  await Promise.allSettled(running.map((subgraph) => subgraph.kill()));
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** A large body of distinct sentences. */
function largeBody(seed: number, bytes: number): string {
  const sentences: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i += 1) {
    const sentence = `Ledger wave ${seed}-${i} reconciles tenant invoices against the migration checkpoint number ${i * 7}.`;
    sentences.push(sentence);
    size += sentence.length + 1;
  }
  return sentences.join(' ');
}

interface RawResponse {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: unknown[] };
}

interface HeldRequest {
  /** Resolves once the server has parsed the headers (100 Continue): it now counts the request as in flight. */
  started: Promise<void>;
  /** Sends the body; the server cannot answer before it. */
  release(): void;
  response: Promise<RawResponse>;
}

/**
 * One POST on its own connection (no pooling) with `Expect: 100-continue`, whose body is held back until
 * release(): the test can have every request started at the server, and still unanswered, when it signals.
 */
function heldPost(url: string, token: string, payload: unknown): HeldRequest {
  const body = JSON.stringify(payload);
  let markStarted: () => void = () => undefined;
  let failStarted: (error: Error) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    markStarted = resolve;
    failStarted = reject;
  });
  const req = request(url, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      authorization: `Bearer ${token}`,
      expect: '100-continue',
    },
  });
  const response = new Promise<RawResponse>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', reject);
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as RawResponse['body'] });
        } catch (error) {
          reject(new Error(`incomplete response (${String(error)}): ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('error', (error) => {
      failStarted(error);
      reject(error);
    });
  });
  req.once('continue', () => markStarted());
  req.flushHeaders();
  return { started, release: () => req.end(body), response };
}

interface WsConnection {
  closed: Promise<{ code: number; reason: string }>;
}

/** A graphql-ws connection, acknowledged by the server, whose close event the test can await. */
function openGraphqlWs(url: string, token: string): Promise<WsConnection> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    socket.on('message', (data: WebSocket.RawData) => {
      const message = JSON.parse((data as Buffer).toString('utf8')) as { type: string };
      if (message.type === 'connection_ack') resolve({ closed });
    });
    void closed.then((event) => reject(new Error(`closed before ack: ${event.code} ${event.reason}`)));
  });
}

describe('configuration errors stop the start with one line naming the variable', () => {
  it.concurrent.each([
    ['PORT', { PORT: 'abc' }],
    ['MAX_QUERY_DEPTH', { MAX_QUERY_DEPTH: '0' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['AUTH_JWT_SECRET', { NODE_ENV: 'production' }],
  ])('exits 1 and names %s on stderr', async (variable, env) => {
    const spawned = spawnMain({ NODE_ENV: 'development', DATA_DIR: freshDataDir(), PORT: '0', ...env });
    const exit = await spawned.waitForExit();
    expect(exit).toEqual({ code: 1, signal: null });
    const lines = spawned.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`\\b${variable}\\b`));
    expect(spawned.stdout()).not.toContain('subgraph listening');
  });
});

describe('SIGTERM drains the process', () => {
  it('completes every in-flight request, closes graphql-ws connections cleanly and exits 0', async () => {
    const subgraph = await start({
      NODE_ENV: 'production',
      DATA_DIR: freshDataDir(),
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      AUTH_ISSUER: TEST_ISSUER,
      AUTH_AUDIENCE: TEST_AUDIENCE,
      // Twenty-five large ingests at once saturate the loop, and load shedding would rightly refuse the searches
      // beside them (RATE_LIMITED); here every request must run, as the drain is this suite's subject.
      LOAD_SHED_EVENT_LOOP_LAG_MS: '0',
      // The drain may take all of it but a 2 s reserve: room for 25 large ingests on a machine busy with the
      // other suites (shutdown-grace.test.ts is about where the grace ends).
      SHUTDOWN_GRACE_MS: '30000',
    });
    const token = await tokenFor('acme');
    const seeded = await gql(subgraph.url, INGEST, {
      token,
      variables: { input: { id: 'seed', title: 'Seed', body: largeBody(0, 20_000) } },
    });
    expect(seeded.body.errors).toBeUndefined();
    const ws = await openGraphqlWs(subgraph.wsUrl, token);

    const TOTAL = 50;
    const requests = Array.from({ length: TOTAL }, (_, i) =>
      i % 2 === 0
        ? heldPost(subgraph.url, token, {
            query: INGEST,
            variables: { input: { id: `big-${i}`, title: `Big ${i}`, body: largeBody(i, INGEST_BYTES) } },
          })
        : heldPost(subgraph.url, token, { query: SEARCH, variables: { q: `ledger wave ${i}` } }),
    );
    const outcomes = Promise.allSettled(requests.map(({ response }) => response));
    // Every request started at the server (headers parsed, 100 Continue sent). Half the bodies go out before the
    // signal, the rest only once the server has logged that it is draining: it must still read, execute and
    // answer those.
    await Promise.all(requests.map(({ started }) => started));
    const beforeSignal = requests.slice(0, TOTAL / 2);
    const afterDraining = requests.slice(TOTAL / 2);
    for (const held of beforeSignal) held.release();
    subgraph.child.kill('SIGTERM');
    await waitUntil(() => jsonLines(subgraph.stdout()).some((line) => line.msg === 'draining'), 15_000);
    for (const held of afterDraining) held.release();

    const results = await outcomes;
    const exit = await subgraph.waitForExit();
    const closedWith = await ws.closed;

    // None was lost or reset.
    const failures = results.flatMap((outcome) =>
      outcome.status === 'rejected' ? [String(outcome.reason)] : [],
    );
    expect(failures).toEqual([]);
    results.forEach((outcome, i) => {
      const value = outcome.status === 'fulfilled' ? outcome.value : null;
      expect(value?.status).toBe(200);
      expect(value?.body.errors).toBeUndefined();
      if (i % 2 === 0) expect(value?.body.data).toMatchObject({ ingestDocument: { documentId: `big-${i}` } });
      else expect(value?.body.data?.search).toMatchObject({ __typename: 'DegradedSearchResults' });
    });

    expect(exit).toEqual({ code: 0, signal: null });
    expect(closedWith.code).toBe(1001);
    const messages = jsonLines(subgraph.stdout()).map((line) => line.msg);
    expect(messages).toEqual(expect.arrayContaining(['draining', 'stopped']));
    // The server itself saw the drain overlap the work: ingests it executed after it began draining.
    const ingestedWhileDraining = messages
      .slice(messages.indexOf('draining'))
      .filter((message) => message === 'document ingested').length;
    const ingestsSentAfterDraining = afterDraining.filter((_, i) => (TOTAL / 2 + i) % 2 === 0).length;
    expect(ingestedWhileDraining).toBeGreaterThanOrEqual(ingestsSentAfterDraining);
  });
});
