// Finding: one document that always times out stopped the embedding sweep for every tenant, and was billed again
// on every run. A document's batches ran under one embed deadline (DEADLINE_MS), which a large document's
// batches cannot fit; its PROVIDER_TIMEOUT ended the run; and the round robin put it near the front of every
// run again. Now each batch has a deadline of its own (within the run's budget); a document the provider
// fails alone (it answers the others) is recorded as tried, goes behind every tenant's documents that have not
// failed, and after TRIES_BEFORE_LONG_WAIT tries waits a day, until a re-ingest; only a provider that fails
// two documents in a row ends the run. What the provider answered is billed once per request that got it.
// An HTTP proxy in front of the fake OpenAI server holds every embedding request carrying MARKER unanswered,
// as a provider that never answers for one text would. On PGlite, whose pgvector makes the sweep run.
import { randomBytes } from 'node:crypto';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, startFakeProviders, startHarness } from '../support/harness';
import type { FakeProviders, Harness, TenantClient } from '../support/harness';
import { OPENAI_EMBEDDING_SPACE, pendingEmbeddingOf } from '../support/hybrid-harness';
import { estimateTokens } from '../support/providers/text';
import { startForwardingProxy } from '../support/forwarding-proxy';
import type { ForwardingProxy } from '../support/forwarding-proxy';
import { TRIES_BEFORE_LONG_WAIT } from '../../subgraph/retrieval/store/embedding-backlog';

jest.setTimeout(120_000);

const EMBEDDINGS = '/v1/embeddings';
const MARKER = 'quicksandmarker';
const BATCH = 4;
/**
 * One embed deadline (DEADLINE_MS): a few batches' worth, not a large document's. Each try of the held document
 * waits it out once, so it is most of the last test's time; a batch's answer (BATCH_LATENCY_MS) still takes a
 * sixth of it, as before at 1500 and 250 ms.
 */
const DEADLINE_MS = 1_000;
const BATCH_LATENCY_MS = 170;
// A dollar a token: a tenant's sweep cost in dollars is the tokens it was billed for.
const PRICES = { [OPENAI_EMBEDDING_SPACE]: { inputPerMillion: 1_000_000, outputPerMillion: 0 } };

/** The proxy and how many embedding requests with MARKER in their input it has held (never answered). */
async function startHoldingProxy(origin: string): Promise<ForwardingProxy & { held(): number }> {
  let held = 0;
  const proxy = await startForwardingProxy(origin, {
    hold: ({ url, body }) => {
      const holds = url.startsWith(EMBEDDINGS) && body.toString().includes(MARKER);
      if (holds) held += 1;
      return holds;
    },
  });
  return { ...proxy, held: () => held };
}

/** About `paragraphs` chunks of ordinary prose (CHUNK_MAX_CHARS 1200), the last one ending with `ending`. */
function prose(paragraphs: number, ending = ''): string {
  const words = ['harbour', 'lamp', 'keeper', 'weather', 'supply', 'boat', 'cliff', 'tide', 'signal', 'fog'];
  const parts: string[] = [];
  for (let p = 0; p < paragraphs; p += 1) {
    let paragraph = '';
    for (let i = 0; paragraph.length < 900; i += 1)
      paragraph += `Sentence ${p}.${i} says the ${words[(p + i) % 10]} met the ${words[(i * 7) % 10]} at dawn. `;
    parts.push(paragraph.trim());
  }
  return `${parts.join('\n\n')} ${ending}`.trim();
}

const smallDocuments = (prefix: string, count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${from + i}`,
    title: `Note ${from + i}`,
    body: `Pier ${from + i} holds the mooring ropes of boat ${from + i} in the ${prefix} harbour.`,
  }));

describe('the embedding sweep and one document that times out', () => {
  let providers: FakeProviders;
  let proxy: Awaited<ReturnType<typeof startHoldingProxy>>;
  let harness: Harness;
  const run = randomBytes(4).toString('hex');

  beforeAll(async () => {
    providers = await startFakeProviders(['openai']);
    proxy = await startHoldingProxy(providers.openai.url);
    harness = await startHarness({
      store: 'pglite',
      providers,
      env: {
        ...FAST_RETRIES,
        ...CIRCUITS_STAY_CLOSED,
        EMBED_SWEEP_INTERVAL_MS: '0',
        EMBED_SWEEP_DOCUMENTS: '3',
        EMBED_BATCH_SIZE: String(BATCH),
        DEADLINE_MS: String(DEADLINE_MS),
        MODEL_PRICES_JSON: JSON.stringify(PRICES),
        OPENAI_BASE_URL: proxy.baseURL,
      },
    });
  });
  afterAll(async () => {
    await harness?.stop();
    await proxy?.close();
    await providers?.close();
  });
  beforeEach(() => providers.reset());

  const sweep = () => harness.app.embeddingSweep.runOnce();
  const pendingOf = async (client: TenantClient) =>
    (await pendingEmbeddingOf(harness, client.tenant)).map((doc) => doc.documentId).sort();
  const sweepCost = async (client: TenantClient) =>
    (await client.usage()).byFeature.find((row) => row.feature === 'embedding-sweep')?.costUsd ?? 0;
  /** Stored while embeddings are down: left to the sweep. */
  const ingestWhileDown = async (
    client: TenantClient,
    documents: { id: string; title: string; body: string }[],
  ) => {
    providers.openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    for (const document of documents)
      expect(await client.ingest(document)).toMatchObject({ embedded: false });
    providers.openai.faults.clear();
  };
  /** The tokens of the document's chunks in the batches before the first one carrying MARKER. */
  const answeredTokens = async (client: TenantClient, id: string) => {
    const stored = await harness.app.store.documents.chunksOf(client.tenant, id);
    const chunks = stored?.chunks.map((chunk) => chunk.content) ?? [];
    const held = chunks.findIndex((chunk) => chunk.includes(MARKER));
    const answered = held < 0 ? chunks : chunks.slice(0, held - (held % BATCH));
    return answered.reduce((sum, chunk) => sum + estimateTokens(chunk), 0);
  };

  it('embeds a document too large for one deadline batch by batch, and the other tenant’s backlog at the normal rate', async () => {
    const large = harness.as(`timeout-large-${run}`);
    const small = harness.as(`timeout-small-${run}`);
    await ingestWhileDown(small, smallDocuments('small', 6));
    await ingestWhileDown(large, [{ id: 'manual', title: 'Manual', body: prose(28) }]);
    const chunks = (await harness.app.store.documents.chunksOf(large.tenant, 'manual'))?.chunks.length ?? 0;
    const batches = Math.ceil(chunks / BATCH);
    // BATCH_LATENCY_MS a request: the manual's batches take more than the embed deadline together, a sixth of
    // it each.
    expect(batches * BATCH_LATENCY_MS).toBeGreaterThan(DEADLINE_MS);
    providers.openai.faults.always({ kind: 'latency', ms: BATCH_LATENCY_MS }, { path: EMBEDDINGS });
    const before = providers.requestCount(EMBEDDINGS);

    const reports = [];
    for (let report = await sweep(); report.embedded > 0; report = await sweep()) reports.push(report);
    // Three documents a run, the manual among the first: nothing fails, and each run embeds its three.
    expect(reports).toEqual([
      { embedded: 3, skipped: 0, failed: false },
      { embedded: 3, skipped: 0, failed: false },
      { embedded: 1, skipped: 0, failed: false },
    ]);
    expect(await pendingOf(large)).toEqual([]);
    expect(await pendingOf(small)).toEqual([]);
    // One request per batch, none again: the manual's tokens billed once.
    expect(providers.requestCount(EMBEDDINGS) - before).toBe(batches + 6);
    expect(await sweepCost(large)).toBe(await answeredTokens(large, 'manual'));
  });

  it('still ends the run when the provider fails two documents in a row, holding neither against them', async () => {
    const client = harness.as(`timeout-outage-${run}`);
    await ingestWhileDown(client, smallDocuments('outage', 3));
    providers.openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    const before = providers.openai.requests.length;
    expect(await sweep()).toEqual({ embedded: 0, skipped: 1, failed: true });
    const tried = new Set(
      providers.openai.requests
        .slice(before)
        .filter((request) => request.path === EMBEDDINGS)
        .map((request) => JSON.stringify((request.body as { input: unknown }).input)),
    );
    expect(tried.size).toBe(2);
    providers.openai.faults.clear();
    // Not backed off: the next run embeds all three.
    expect(await sweep()).toEqual({ embedded: 3, skipped: 0, failed: false });
  });

  it('tries a document that always times out behind every other tenant’s documents, bills what came back, and leaves it a day after a few tries', async () => {
    const stuck = harness.as(`timeout-stuck-${run}`);
    const others = harness.as(`timeout-others-${run}`);
    // Its first batch is answered, its second held until the batch's deadline.
    const body = prose(6, `The last line names the ${MARKER}.`);
    await ingestWhileDown(stuck, [{ id: 'stuck', title: 'Stuck', body }]);
    await ingestWhileDown(others, smallDocuments('others', 2));
    const perTry = await answeredTokens(stuck, 'stuck');
    expect(perTry).toBeGreaterThan(0);

    // The held document fails alone: the run goes on and embeds the other tenant's documents.
    expect(await sweep()).toEqual({ embedded: 2, skipped: 1, failed: false });
    expect(proxy.held()).toBeGreaterThan(0);
    expect(await pendingOf(others)).toEqual([]);
    expect(await pendingOf(stuck)).toEqual(['stuck']);
    expect(await sweepCost(stuck)).toBe(perTry);

    // New documents of the other tenant come first: the run has room for them only, and does not try it.
    await ingestWhileDown(others, smallDocuments('others', 3, 2));
    let held = proxy.held();
    expect(await sweep()).toEqual({ embedded: 3, skipped: 0, failed: false });
    expect(proxy.held()).toBe(held);
    expect(await pendingOf(stuck)).toEqual(['stuck']);

    // With nothing else to do it is tried again, up to TRIES_BEFORE_LONG_WAIT tries, each billed what came back.
    for (let tries = 1; tries < TRIES_BEFORE_LONG_WAIT; tries += 1)
      expect(await sweep()).toEqual({ embedded: 0, skipped: 1, failed: false });
    expect(await sweepCost(stuck)).toBe(TRIES_BEFORE_LONG_WAIT * perTry);

    // Then it waits: not listed, not tried, not billed.
    expect(await pendingOf(stuck)).toEqual([]);
    held = proxy.held();
    const requests = providers.requestCount(EMBEDDINGS);
    expect(await sweep()).toEqual({ embedded: 0, skipped: 0, failed: false });
    expect(proxy.held()).toBe(held);
    expect(providers.requestCount(EMBEDDINGS)).toBe(requests);
    expect(await sweepCost(stuck)).toBe(TRIES_BEFORE_LONG_WAIT * perTry);

    // New content is tried again.
    await ingestWhileDown(stuck, [{ id: 'stuck', title: 'Stuck, revised', body: `${body} Revised.` }]);
    expect(await pendingOf(stuck)).toEqual(['stuck']);
    expect(await stuck.deleteDocument('stuck')).toBe(true);
  });
});
