// A client that unsubscribes from askStream while its question is still being embedded for retrieval: the
// embedding request is aborted at once, no answer is asked for, and the stream is counted as abandoned. The
// stream's signal used to reach only the answer's provider call, so the question's embedding (and the guard
// model's call, where one is routed) ran on to its own deadline for a client that had gone, and the answer
// was then not asked for only because the signal was checked again after it. On PGlite, whose pgvector makes
// retrieval hybrid.
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const EMBEDDINGS = '/v1/embeddings';
const CHAT = '/v1/chat/completions';
/** The embedding's reply is due this late: a close seen within a second is the unsubscribe's doing. */
const SLOW_MS = 20_000;
/** As in stream-unsubscribe.test.ts: far under every clock that could close the request instead. */
const CLOSE_WITHIN_MS = 1_000;
const TENANT = `unsubscribe-retrieval-${process.pid}`;
const ASK_STREAM = `subscription { askStream(input: { question: "Who collects the mooring fee?" }) { __typename } }`;

describe('unsubscribing from askStream while its question is embedded', () => {
  let harness: Harness;
  let client: Client;

  beforeAll(async () => {
    harness = await startHarness({
      store: 'pglite',
      providers: ['openai'],
      env: {
        // Neither the request's deadline nor the attempt's timeout ends the slow embedding first.
        DEADLINE_MS: '40000',
        ATTEMPT_TIMEOUT_MS: '30000',
        EMBED_SWEEP_INTERVAL_MS: '0',
      },
    });
    const tenant = harness.as(TENANT);
    await tenant.ingest({
      id: 'harbour',
      title: 'Harbour rules',
      body: 'Boats moor at the east pier. The harbour master collects the mooring fee every morning.',
    });
    client = createClient({
      url: harness.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${await tenant.token()}` },
    });
  });

  afterAll(async () => {
    await client?.dispose();
    await harness?.stop();
  });

  it('aborts the embedding request at once, asks for no answer, and meters the stream as abandoned', async () => {
    const { openai } = harness.providers;
    const before = openai.requests.length;
    openai.faults.always({ kind: 'latency', ms: SLOW_MS }, { path: EMBEDDINGS });
    const events: string[] = [];
    const unsubscribe = client.subscribe<{ askStream: { __typename: string } }>(
      { query: ASK_STREAM },
      {
        next: (result) => events.push(result.data?.askStream.__typename ?? 'error'),
        error: () => events.push('error'),
        complete: () => undefined,
      },
    );
    const embedding = await waitFor(
      () => openai.requests.slice(before).find((request) => request.path === EMBEDDINGS),
      20_000,
      "the question's embedding started",
    );
    const unsubscribedAt = Date.now();
    unsubscribe();
    const closedAt = await waitFor(() => embedding.closedAt, 10_000, 'the embedding request closed');
    expect(embedding.aborted).toBe(true);
    expect(closedAt - unsubscribedAt).toBeLessThan(CLOSE_WITHIN_MS);
    // Metered when the stream's generator ends, just after the abort; read until it shows, for up to 5 s.
    const abandonedCount = async () =>
      (await harness.metrics()).value('ai_feature_requests_total', { feature: 'ask', outcome: 'abandoned' });
    let abandoned = await abandonedCount();
    for (let tries = 0; abandoned === 0 && tries < 50; tries++) {
      await sleep(100);
      abandoned = await abandonedCount();
    }
    expect(abandoned).toBe(1);
    expect(openai.requests.slice(before).filter((request) => request.path === CHAT)).toEqual([]);
    expect(events).toEqual([]);
  });
});
