// Search under this replica's own overload: the query's embedding, from a healthy provider (a real HTTP fake
// answering in 300 ms), cannot be read in time because this process's event loop is blocked past the attempt
// timeout (the fake, in the subgraph's process, holds the thread with Atomics.wait meanwhile). The keyword
// results still serve, as DegradedSearchResults RATE_LIMITED, and their message names this service's overload
// and when to come back, not the provider: it used to say "The model provider is rate limiting requests".
import { randomBytes } from 'node:crypto';
import { useHybridHarness } from '../support/hybrid-harness';
import { HARBOUR_RULES } from '../support/sample-documents';

jest.setTimeout(60_000);

const EMBEDDINGS = '/v1/embeddings';
const ATTEMPT_TIMEOUT_MS = 600;
/** A healthy provider: it answers well inside the attempt timeout. */
const PROVIDER_LATENCY_MS = 300;
/** Longer than the attempt timeout: the attempt's clock runs out while the answer sits unread. */
const BLOCK_MS = 900;

type Searched = { __typename: string; reason?: string; message?: string; hits?: { documentId: string }[] };

describe('search when our own event loop runs its query embedding out', () => {
  const harness = useHybridHarness({
    ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
    RETRY_MAX_ATTEMPTS: '1',
    // Shedding is another suite's subject: here the search must reach the provider.
    LOAD_SHED_EVENT_LOOP_LAG_MS: '0',
  });

  it('serves the keyword results with a message naming this service’s overload, not the model provider', async () => {
    const client = harness.as(`overload-${randomBytes(4).toString('hex')}`);
    expect(await client.ingest(HARBOUR_RULES)).toMatchObject({ embedded: true });

    harness.providers.openai.faults.always(
      { kind: 'latency', ms: PROVIDER_LATENCY_MS },
      { path: EMBEDDINGS },
    );
    // 50 ms in, the query's embedding is at the provider: the loop is then held past the attempt timeout.
    setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BLOCK_MS), 50);
    const { search } = await client.data<{ search: Searched }>(
      `query($q: String!) { search(input: { query: $q }) {
        __typename
        ... on DegradedSearchResults { reason message hits { documentId } }
      } }`,
      { q: 'mooring fee' },
    );

    const metrics = await harness.metrics();
    expect(metrics.value('ai_model_calls_total', { provider: 'openai', outcome: 'overloaded' })).toBe(1);
    expect(search).toMatchObject({
      __typename: 'DegradedSearchResults',
      reason: 'RATE_LIMITED',
      hits: [{ documentId: 'harbour' }],
    });
    expect(search.message).not.toMatch(/model provider/i);
    expect(search.message).toMatch(
      /^This service is overloaded right now \(retry in \d+ s for the full result\); /,
    );
  });
});
