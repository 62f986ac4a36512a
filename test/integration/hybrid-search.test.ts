// Hybrid search over the real transport: with pgvector (PGlite) and an embedding provider, `search` fuses BM25
// and embedding similarity (SearchResults, scores by reciprocal rank), and ingest stores vectors. When the
// semantic half cannot run — the embedding provider fails, times out or has its circuit open; no vectors in
// the store (PostgreSQL without pgvector) — the BM25 ranking serves as DegradedSearchResults with that reason,
// and a document ingested while embeddings were down is found by keywords at once and embedded by the sweep.
import { randomBytes } from 'node:crypto';
import { chunkText } from '../../subgraph/retrieval/chunking';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, useHarness } from '../support/harness';
import { pendingEmbeddingOf, useHybridHarness } from '../support/hybrid-harness';
import { capturingLogger } from '../support/logs';
import { HARBOUR_RULES } from '../support/sample-documents';
import { requirePostgres } from '../support/services';

requirePostgres();

const EMBEDDINGS = '/v1/embeddings';
const tenant = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

const LIGHTHOUSE = {
  id: 'lighthouse',
  title: 'Lighthouse',
  body: 'The keeper trims the lamp at dusk and logs every passing ship in the night book.',
};

describe('hybrid search on PGlite with an embedding provider', () => {
  const harness = useHybridHarness({ ...FAST_RETRIES, ...CIRCUITS_STAY_CLOSED, ATTEMPT_TIMEOUT_MS: '300' });

  afterEach(() => harness.providers.reset());

  it('embeds at ingest and answers SearchResults whose scores are the fused reciprocal ranks', async () => {
    const client = harness.as(tenant('hybrid'));
    expect(await client.ingest(HARBOUR_RULES)).toMatchObject({ embedded: true });
    expect(await client.ingest(LIGHTHOUSE)).toMatchObject({ embedded: true });

    const result = await client.search({ query: 'mooring fee at the pier', limit: 5 });
    expect(result.__typename).toBe('SearchResults');
    if (result.__typename !== 'SearchResults') return;
    expect(result.hits[0]?.documentId).toBe('harbour');
    // First in both lists: 1/(60+1) twice. Any hit's score is at most that.
    expect(result.hits[0]?.score).toBeCloseTo(2 / 61, 10);
    for (const hit of result.hits) expect(hit.score).toBeLessThanOrEqual(2 / 61 + 1e-12);
    expect(result.meta).toMatchObject({ provider: 'openai', model: 'text-embedding-3-small' });
    expect(harness.providers.requestCount(EMBEDDINGS)).toBeGreaterThanOrEqual(3);
  });

  it('a query BM25 cannot match (only stopwords) is still answered by the embedding list alone', async () => {
    const client = harness.as(tenant('semantic'));
    await client.ingest(HARBOUR_RULES);
    await client.ingest(LIGHTHOUSE);
    // "and" and "in" are English stopwords: no BM25 term at all. The fake provider's bag-of-words vectors still
    // place the lighthouse text ("and logs", "in the night") nearest.
    const result = await client.search({ query: 'and in', limit: 5 });
    expect(result.__typename).toBe('SearchResults');
    if (result.__typename !== 'SearchResults') return;
    expect(result.hits[0]?.documentId).toBe('lighthouse');
    expect(result.hits[0]?.score).toBeCloseTo(1 / 61, 10);
  });

  it('ask pays for its question’s embedding: a DegradedAnswer bought no completion but costs the embedding', async () => {
    const client = harness.as(tenant('ask-cost'));
    await client.ingest(HARBOUR_RULES);
    harness.providers.openai.faults.always({ kind: 'status', status: 500 }, { path: '/v1/chat/completions' });
    const before = harness.providers.requestCount(EMBEDDINGS);
    const result = await client.ask('Who collects the mooring fee?');
    expect(result).toMatchObject({ __typename: 'DegradedAnswer', reason: 'PROVIDER_ERROR' });
    expect(harness.providers.requestCount(EMBEDDINGS)).toBe(before + 1);
    if (result.__typename !== 'DegradedAnswer') return;
    expect(result.meta.costUsd).toBeGreaterThan(0);
    expect(result.passages.map((passage) => passage.documentId)).toEqual(['harbour']);
  });

  it.each([
    ['fails (HTTP 500 on every try)', 'PROVIDER_ERROR', { kind: 'status', status: 500 } as const],
    ['times out', 'PROVIDER_TIMEOUT', { kind: 'hang' } as const],
  ])('query embedding %s: lexical hits as DegradedSearchResults with %s', async (_case, reason, fault) => {
    const client = harness.as(tenant('down'));
    await client.ingest(HARBOUR_RULES);
    harness.providers.openai.faults.always(fault, { path: EMBEDDINGS });
    const result = await client.search({ query: 'mooring fee', limit: 5 });
    expect(result).toMatchObject({ __typename: 'DegradedSearchResults', reason });
    if (result.__typename !== 'DegradedSearchResults') return;
    expect(result.hits.map((hit) => hit.documentId)).toEqual(['harbour']);
    const { search } = await client.data<{ search: { message: string } }>(
      'query($q: String!) { search(input: { query: $q }) { ... on DegradedSearchResults { message } } }',
      { q: 'mooring fee' },
    );
    expect(search.message).toMatch(/ranked by keywords only/);
  });

  it('ingest while embeddings are down stores the document not embedded, found by keywords, embedded by the sweep', async () => {
    const client = harness.as(tenant('sweep'));
    harness.providers.openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    expect(await client.ingest(HARBOUR_RULES)).toMatchObject({ documentId: 'harbour', embedded: false });
    const lexical = await client.search({ query: 'mooring fee', limit: 5 });
    expect(lexical).toMatchObject({ __typename: 'DegradedSearchResults' });
    expect(lexical.__typename !== 'AIUnavailable' && lexical.hits.map((hit) => hit.documentId)).toEqual([
      'harbour',
    ]);

    // Still down: the sweep stops at the failure and leaves the document pending.
    expect(await harness.app.embeddingSweep.runOnce()).toMatchObject({ embedded: 0, failed: true });
    harness.providers.openai.faults.clear();
    let report = await harness.app.embeddingSweep.runOnce();
    while (report.embedded > 0) report = await harness.app.embeddingSweep.runOnce();
    expect(await pendingEmbeddingOf(harness, client.tenant)).toEqual([]);
    // Embedded now: the semantic half ranks it too, and the result is full.
    const hybrid = await client.search({ query: 'mooring fee', limit: 5 });
    expect(hybrid.__typename).toBe('SearchResults');
  });

  // Finding: results were labelled hybrid when the tenant had no vectors. After an ingest while embeddings were
  // down, search paid for a query embedding, found no vector to compare it with, and answered SearchResults
  // with reciprocal-rank scores over the keyword ranking alone.
  it('a tenant without vectors gets DegradedSearchResults (SEMANTIC_UNAVAILABLE), and pays for no query embedding', async () => {
    const client = harness.as(tenant('no-vectors'));
    harness.providers.openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    expect(await client.ingest(HARBOUR_RULES)).toMatchObject({ embedded: false });
    harness.providers.openai.faults.clear();

    const before = harness.providers.requestCount(EMBEDDINGS);
    const result = await client.search({ query: 'mooring fee', limit: 5 });
    expect(result).toMatchObject({ __typename: 'DegradedSearchResults', reason: 'SEMANTIC_UNAVAILABLE' });
    expect(harness.providers.requestCount(EMBEDDINGS)).toBe(before);
    if (result.__typename !== 'DegradedSearchResults') return;
    expect(result.meta).toMatchObject({ provider: null, model: null, costUsd: 0 });
    // Keyword scores (BM25), as DegradedSearchResults promises: the same as a search of the store's.
    const [lexical] = await harness.app.store.documents.searchLexical(client.tenant, 'mooring fee', 5);
    expect(result.hits.map((hit) => [hit.documentId, hit.score])).toEqual([['harbour', lexical?.score]]);
  });

  it('a tenant whose vectors are all of another model gets DegradedSearchResults (SEMANTIC_UNAVAILABLE), the embedding it paid for reported', async () => {
    const client = harness.as(tenant('other-model'));
    harness.providers.openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    await client.ingest(HARBOUR_RULES);
    harness.providers.openai.faults.clear();
    const { documents } = harness.app.store;
    const stored = await documents.chunksOf(client.tenant, 'harbour');
    if (!stored) throw new Error('harbour not stored');
    const vectors = stored.chunks.map(() => [1, 0, 0]);
    expect(
      await documents.putEmbeddings(
        client.tenant,
        'harbour',
        stored.version,
        'old:model',
        vectors,
        stored.chunks,
      ),
    ).toBe(true);

    const before = harness.providers.requestCount(EMBEDDINGS);
    const result = await client.search({ query: 'mooring fee', limit: 5 });
    expect(result).toMatchObject({ __typename: 'DegradedSearchResults', reason: 'SEMANTIC_UNAVAILABLE' });
    expect(harness.providers.requestCount(EMBEDDINGS)).toBe(before + 1);
    if (result.__typename !== 'DegradedSearchResults') return;
    expect(result.meta).toMatchObject({ provider: 'openai', model: 'text-embedding-3-small' });
    expect(result.hits.map((hit) => hit.documentId)).toEqual(['harbour']);
  });

  it('hybrid results list a sentence two overlapping chunks share once, not as two hits with the same snippet', async () => {
    const client = harness.as(tenant('hybrid-distinct'));
    const shared =
      'The albatross nests on the northern cliffs, and each albatross returns there every spring.';
    const note = (i: number) =>
      `Note ${i}: the committee reviewed the budget for the harbour repairs and approved it again.`;
    const body = [...Array.from({ length: 11 }, (_, i) => note(i)), shared]
      .concat(Array.from({ length: 10 }, (_, i) => note(i + 11)))
      .join(' ');
    const chunking = harness.app.config.retrieval.chunking;
    expect(chunkText(body, chunking).map((chunk) => chunk.text.includes(shared))).toEqual([true, true]);
    expect(await client.ingest({ id: 'seabirds', title: 'Seabirds', body })).toMatchObject({
      chunks: 2,
      embedded: true,
    });
    const result = await client.search({ query: 'albatross', limit: 5 });
    expect(result.__typename).toBe('SearchResults');
    if (result.__typename !== 'SearchResults') return;
    const snippets = result.hits.map((hit) => hit.snippet);
    expect(snippets.filter((snippet) => snippet.includes(shared))).toHaveLength(1);
    expect(new Set(snippets).size).toBe(snippets.length);
  });
});

describe('hybrid search with the embedding circuit open', () => {
  const harness = useHybridHarness({
    ...FAST_RETRIES,
    CIRCUIT_CONSECUTIVE_FAILURES: '2',
    CIRCUIT_COOLDOWN_MS: '600000',
  });

  it('answers lexical hits with CIRCUIT_OPEN, without calling the provider', async () => {
    const client = harness.as(tenant('circuit'));
    // Embedded first: a tenant without vectors would not ask for the query's embedding at all.
    expect(await client.ingest(HARBOUR_RULES)).toMatchObject({ embedded: true });
    harness.providers.openai.faults.always({ kind: 'status', status: 500 }, { path: EMBEDDINGS });
    await client.ingest(LIGHTHOUSE);
    await client.search('mooring');
    const before = harness.providers.requestCount(EMBEDDINGS);
    const result = await client.search('mooring fee');
    expect(result).toMatchObject({ __typename: 'DegradedSearchResults', reason: 'CIRCUIT_OPEN' });
    expect(harness.providers.requestCount(EMBEDDINGS)).toBe(before);
  });
});

describe('search on PostgreSQL without pgvector', () => {
  const { logger, lines } = capturingLogger('info');
  const harness = useHarness({ store: 'postgres', providers: ['openai'], logger });

  it('runs on keywords, says SEMANTIC_UNAVAILABLE in each result, and spends no embedding call', async () => {
    expect(harness.app.store.semantic).toMatchObject({
      available: false,
      reason: expect.stringMatching(/vector/),
    });
    const client = harness.as(tenant('pg'));
    expect(await client.ingest(HARBOUR_RULES)).toMatchObject({ embedded: false });
    const result = await client.search('mooring fee');
    expect(result).toMatchObject({ __typename: 'DegradedSearchResults', reason: 'SEMANTIC_UNAVAILABLE' });
    expect(harness.providers.requestCount(EMBEDDINGS)).toBe(0);
    await client.search('harbour master');
    // Said once, at the start, with the reason; not once per search.
    const said = lines.filter((line) => line.includes('semantic search unavailable'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/vector/);
  });
});
