// A client that unsubscribes from askStream while its question is still being embedded for retrieval: the
// embedding request is aborted at once, no answer is asked for, and the stream is counted as abandoned. The
// stream's signal used to reach only the answer's provider call, so the question's embedding (and the guard
// model's call, where one is routed) ran on to its own deadline for a client that had gone, and the answer
// was then not asked for only because the signal was checked again after it. On PGlite, whose pgvector makes
// retrieval hybrid.
import { setTimeout as sleep } from 'node:timers/promises';
import { featureRequests } from '../support/feature-requests';
import { HARBOUR_RULES } from '../support/sample-documents';
import { useSubscribingTenant } from '../support/subscribing-tenant';
import { waitFor } from '../support/wait-for';
import { subscribeTypenames } from '../support/ws-client';

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
  const { harness, client } = useSubscribingTenant(
    {
      store: 'pglite',
      providers: ['openai'],
      env: {
        // Neither the request's deadline nor the attempt's timeout ends the slow embedding first.
        DEADLINE_MS: '40000',
        ATTEMPT_TIMEOUT_MS: '30000',
        EMBED_SWEEP_INTERVAL_MS: '0',
      },
    },
    TENANT,
    HARBOUR_RULES,
  );

  it('aborts the embedding request at once, asks for no answer, and meters the stream as abandoned', async () => {
    const { openai } = harness.providers;
    const before = openai.requests.length;
    openai.faults.always({ kind: 'latency', ms: SLOW_MS }, { path: EMBEDDINGS });
    const events: string[] = [];
    const unsubscribe = subscribeTypenames(client, ASK_STREAM, 'askStream', events);
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
    const abandonedCount = () => featureRequests(harness, 'ask', 'abandoned');
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
