// A provider that answers an embedding with a vector the store cannot keep (all zeros: no cosine distance; more
// dimensions than pgvector stores) fails neither the ingest nor the embedding sweep. The ingest stores the
// document without vectors (embedded: false), found by keywords at once; the sweep skips that document, logs
// it by id (never its text), embeds the others, and does not try it (nor pay for it) in that model again
// until it is re-ingested. An HTTP proxy in front of the fake OpenAI server rewrites the vector of the texts
// it is told to. On PGlite, whose pgvector stores vectors.
import { startForwardingProxy } from '../support/forwarding-proxy';
import type { ForwardingProxy } from '../support/forwarding-proxy';
import { randomBytes } from 'node:crypto';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, startFakeProviders, startHarness } from '../support/harness';
import type { FakeProviders, Harness } from '../support/harness';
import { capturingLogger } from '../support/logs';
import { toBase64Float32 } from '../support/providers/vectors';

jest.setTimeout(60_000);

const EMBEDDINGS = '/v1/embeddings';
const SPACE = 'openai:text-embedding-3-small';
const ZERO = {
  id: 'albatross',
  title: 'Albatross',
  body: 'The albatross glides for hours over the southern ocean without a single wingbeat.',
};
const OVERSIZED = {
  id: 'petrel',
  title: 'Petrel',
  body: 'Storm petrels patter across the waves at dusk, picking plankton from the surface.',
};
const ZERO_TOO = {
  id: 'shearwater',
  title: 'Shearwater',
  body: 'Shearwaters skim the troughs between swells, their wingtips almost touching the water.',
};
const PLAIN = {
  id: 'gannet',
  title: 'Gannet',
  body: 'Gannets dive from thirty metres and fold their wings just before they hit the water.',
};
/** The vector the proxy answers for a text instead of the provider's, or null to pass the provider's on. */
const REWRITES = new Map<string, number[]>([
  [ZERO.body, new Array<number>(256).fill(0)],
  [ZERO_TOO.body, new Array<number>(256).fill(0)],
  [OVERSIZED.body, new Array<number>(16_001).fill(0.01)],
]);

/** Passes every request on to `origin`; in an embeddings reply, the vector of a text in REWRITES is replaced. */
function startRewritingProxy(origin: string): Promise<ForwardingProxy> {
  return startForwardingProxy(origin, {
    rewrite: ({ url, body }, status, reply) => {
      if (!url.startsWith(EMBEDDINGS) || status >= 300) return reply;
      const request = JSON.parse(body.toString()) as { input: string | string[]; encoding_format?: string };
      const inputs = typeof request.input === 'string' ? [request.input] : request.input;
      const parsed = JSON.parse(reply) as { data: { index: number; embedding: unknown }[] };
      for (const item of parsed.data) {
        const vector = REWRITES.get(inputs[item.index] ?? '');
        if (vector) item.embedding = request.encoding_format === 'base64' ? toBase64Float32(vector) : vector;
      }
      return JSON.stringify(parsed);
    },
  });
}

describe('embeddings the store cannot keep (a zero vector, too many dimensions)', () => {
  let providers: FakeProviders;
  let proxy: ForwardingProxy;
  let harness: Harness;
  const { logger, lines } = capturingLogger('info');
  const client = () => harness.as(`unusable-${randomBytes(4).toString('hex')}`);

  beforeAll(async () => {
    providers = await startFakeProviders(['openai']);
    proxy = await startRewritingProxy(providers.openai.url);
    harness = await startHarness({
      store: 'pglite',
      providers,
      logger,
      env: {
        ...FAST_RETRIES,
        ...CIRCUITS_STAY_CLOSED,
        EMBED_SWEEP_INTERVAL_MS: '0',
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

  const pendingOf = async (tenant: string) =>
    (await harness.app.store.documents.pendingEmbedding(SPACE, 1000))
      .filter((doc) => doc.tenantId === tenant)
      .map((doc) => doc.documentId)
      .sort();

  test.each([
    ['a zero vector', ZERO, 'albatross southern ocean'],
    ['an oversized vector', OVERSIZED, 'storm petrels plankton'],
  ])('ingest with %s: the document is stored lexical only, not embedded', async (_case, document, query) => {
    const tenant = client();
    expect(await tenant.ingest(document)).toEqual({
      documentId: document.id,
      chunks: 1,
      embedded: false,
      flagged: [],
    });
    expect(providers.requestCount(EMBEDDINGS)).toBe(1);
    const found = await tenant.search(query);
    expect(found.__typename).not.toBe('AIUnavailable');
    expect('hits' in found && found.hits.map((hit) => hit.documentId)).toContain(document.id);
    expect(await pendingOf(tenant.tenant)).toEqual([document.id]);
  });

  it('the sweep skips a document with unusable vectors, logs its id, embeds the others, and does not pay for it again', async () => {
    const tenant = client();
    // Ingested while embeddings are down: all three wait for the sweep.
    providers.openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    for (const document of [ZERO, OVERSIZED, PLAIN])
      expect(await tenant.ingest(document)).toMatchObject({ embedded: false });
    providers.openai.faults.clear();
    const sweep = harness.app.embeddingSweep;
    // Other tenants' pending documents, if any, are the unusable ones the tests above ingested.
    const others = (await harness.app.store.documents.pendingEmbedding(SPACE, 1000)).filter(
      (doc) => doc.tenantId !== tenant.tenant,
    ).length;

    const first = await sweep.runOnce();
    expect(first).toEqual({ embedded: 1, skipped: 2 + others, failed: false });
    // Lexical only from now on in this model: the same text would get the same vectors.
    expect(await pendingOf(tenant.tenant)).toEqual([]);
    const calls = providers.requestCount(EMBEDDINGS);
    await expect(sweep.runOnce()).resolves.toEqual({ embedded: 0, skipped: 0, failed: false });
    expect(providers.requestCount(EMBEDDINGS)).toBe(calls);

    const skippedLines = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.tenant === tenant.tenant && /skipped a document/.test(String(line.msg)));
    expect(skippedLines.map((line) => line.documentId).sort()).toEqual([ZERO.id, OVERSIZED.id].sort());
    const logged = JSON.stringify(skippedLines);
    for (const document of [ZERO, OVERSIZED]) expect(logged).not.toContain(document.body);
  });
});

describe('the embedding sweep behind documents whose vectors the store cannot keep', () => {
  let providers: FakeProviders;
  let proxy: ForwardingProxy;
  let harness: Harness;

  beforeAll(async () => {
    providers = await startFakeProviders(['openai']);
    proxy = await startRewritingProxy(providers.openai.url);
    harness = await startHarness({
      store: 'pglite',
      providers,
      env: {
        ...FAST_RETRIES,
        ...CIRCUITS_STAY_CLOSED,
        EMBED_SWEEP_INTERVAL_MS: '0',
        EMBED_SWEEP_DOCUMENTS: '2',
        OPENAI_BASE_URL: proxy.baseURL,
      },
    });
  });
  afterAll(async () => {
    await harness?.stop();
    await proxy?.close();
    await providers?.close();
  });

  it('embeds the document behind them within two runs, pays for each once, and tries one again once re-ingested', async () => {
    const tenant = harness.as(`unusable-head-${randomBytes(4).toString('hex')}`);
    const { documents } = harness.app.store;
    const pending = async () =>
      (await documents.pendingEmbedding(SPACE, 1000))
        .filter((doc) => doc.tenantId === tenant.tenant)
        .map((doc) => doc.documentId);
    const calls = () => providers.requestCount(EMBEDDINGS);
    // Ingested while embeddings are down, the two with zero vectors first: they head the work list.
    providers.openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    for (const document of [ZERO, ZERO_TOO, PLAIN])
      expect(await tenant.ingest(document)).toMatchObject({ embedded: false });
    providers.openai.faults.clear();
    expect(await pending()).toEqual([ZERO.id, ZERO_TOO.id, PLAIN.id]);
    const before = calls();

    const sweep = harness.app.embeddingSweep;
    expect(await sweep.runOnce()).toEqual({ embedded: 0, skipped: 2, failed: false });
    expect(await sweep.runOnce()).toEqual({ embedded: 1, skipped: 0, failed: false });
    for (let run = 0; run < 3; run += 1)
      expect(await sweep.runOnce()).toEqual({ embedded: 0, skipped: 0, failed: false });
    // One paid call per document: the two unusable ones are not tried again.
    expect(calls() - before).toBe(3);
    expect(await pending()).toEqual([]);
    const found = await tenant.search('gannets dive wings water');
    expect('hits' in found && found.hits.map((hit) => hit.documentId)).toContain(PLAIN.id);

    // A re-ingest is new text to try: pending again, and the sweep tries it once more.
    expect(await tenant.ingest({ ...ZERO, title: 'Albatross, revised' })).toMatchObject({ embedded: false });
    expect(await pending()).toEqual([ZERO.id]);
    const reingested = calls();
    expect(await sweep.runOnce()).toEqual({ embedded: 0, skipped: 1, failed: false });
    expect(calls() - reingested).toBe(1);
    expect(await pending()).toEqual([]);
  });
});
