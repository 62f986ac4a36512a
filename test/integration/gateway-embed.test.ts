// The gateway's embed task against fake OpenAI-compatible servers (OpenAI first, the self-hosted endpoint
// second): vectors in order, batches to one target, the same retries, timeouts, circuits and failure reasons
// as completions, a wrong vector count treated as malformed, tenant policy, pricing and metrics.
import { estimateTokens, hashEmbedding } from '../support/providers';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, useFakeProviders } from '../support/harness';
import { embedGateway } from '../support/embed-gateway';
import type { EmbedGateway } from '../support/embed-gateway';
import { waitUntil } from '../support/wait-for';

const EMBEDDINGS = '/v1/embeddings';
const OPENAI_MODEL = 'text-embedding-3-small';
const SELFHOSTED_MODEL = 'local-embed';
/** The fake servers' vector size. */
const DIMENSIONS = 256;
const TENANT = 'embed-co';

const providers = useFakeProviders(['openai', 'selfhosted']);
const openaiRequests = () => providers.openai.requestCount(EMBEDDINGS);
const selfhostedRequests = () => providers.selfhosted.requestCount(EMBEDDINGS);

function gatewayWith(env: Record<string, string> = {}): EmbedGateway {
  return embedGateway({
    ...providers.env,
    SELFHOSTED_EMBEDDING_MODEL: SELFHOSTED_MODEL,
    ...FAST_RETRIES,
    ...CIRCUITS_STAY_CLOSED,
    ...env,
  });
}

/** What the fake servers send for `texts`, at the float32 precision the wire carries. */
const vectorsOf = (texts: readonly string[]) =>
  texts.map((text) => hashEmbedding(text, DIMENSIONS).map(Math.fround));

const passages = (count: number) =>
  Array.from({ length: count }, (_, i) => `passage ${i} on harbour cranes, shift ${i % 7}`);

/** The number of texts each embeddings request to `server` carried, in order. */
const batchSizes = (server: typeof providers.openai) =>
  server.requests
    .filter((request) => request.path === EMBEDDINGS)
    .map((request) => (request.body as { input: string[] }).input.length);

const embeddedBy = (provider: string, model: string, texts: readonly string[]) => ({
  kind: 'embedded',
  provider,
  model,
  dimensions: DIMENSIONS,
  vectors: vectorsOf(texts),
  costNanos: expect.any(Number),
  cached: false,
});

describe('the embed task', () => {
  it('returns one vector per text, in order, with the model that made them and their dimension', async () => {
    const texts = ['cranes lift containers', 'tides turn twice a day', 'gulls follow the ferry'];
    const outcome = await gatewayWith().embed(TENANT, texts);
    expect(outcome).toEqual(embeddedBy('openai', OPENAI_MODEL, texts));
    expect(openaiRequests()).toBe(1);
    expect(selfhostedRequests()).toBe(0);
  });

  it('sends 250 texts as 3 requests of at most EMBED_BATCH_SIZE (96), all to the same target', async () => {
    const texts = passages(250);
    const outcome = await gatewayWith().embed(TENANT, texts, { purpose: 'document' });
    expect(outcome).toEqual(embeddedBy('openai', OPENAI_MODEL, texts));
    expect(batchSizes(providers.openai)).toEqual([96, 96, 58]);
    expect(providers.openai.requests.map((request) => (request.body as { model: string }).model)).toEqual([
      OPENAI_MODEL,
      OPENAI_MODEL,
      OPENAI_MODEL,
    ]);
    expect(selfhostedRequests()).toBe(0);
  });

  it('reads the batch size from EMBED_BATCH_SIZE', async () => {
    const texts = passages(25);
    await gatewayWith({ EMBED_BATCH_SIZE: '10' }).embed(TENANT, texts, { purpose: 'document' });
    expect(batchSizes(providers.openai)).toEqual([10, 10, 5]);
  });

  it('moves the whole call to the next target when a later batch fails: one model answers for every text', async () => {
    // The first batch is answered; every later request to OpenAI fails.
    providers.openai.faults.once({ kind: 'latency', ms: 0 }).always({ kind: 'status', status: 500 });
    const texts = passages(250);
    const outcome = await gatewayWith({ RETRY_MAX_ATTEMPTS: '1' }).embed(TENANT, texts, {
      purpose: 'document',
    });
    expect(outcome).toEqual(embeddedBy('selfhosted', SELFHOSTED_MODEL, texts));
    expect(batchSizes(providers.openai)).toEqual([96, 96]);
    expect(batchSizes(providers.selfhosted)).toEqual([96, 96, 58]);
  });

  it('retries a provider 500 on the same target, which then answers', async () => {
    providers.openai.faults.once({ kind: 'status', status: 500 });
    const outcome = await gatewayWith().embed(TENANT, ['one text']);
    expect(outcome).toEqual(embeddedBy('openai', OPENAI_MODEL, ['one text']));
    expect(openaiRequests()).toBe(2);
    expect(selfhostedRequests()).toBe(0);
  });

  it('after its retries, a target that keeps answering 500 gives way to the next', async () => {
    providers.openai.faults.always({ kind: 'status', status: 500 });
    const embedder = gatewayWith({ RETRY_MAX_ATTEMPTS: '2' });
    expect(await embedder.embed(TENANT, ['one text'])).toEqual(
      embeddedBy('selfhosted', SELFHOSTED_MODEL, ['one text']),
    );
    expect(openaiRequests()).toBe(2);
    expect(selfhostedRequests()).toBe(1);
    const metrics = await embedder.metrics();
    expect(metrics.value('ai_model_calls_total', { provider: 'openai', outcome: 'server' })).toBe(1);
    expect(metrics.value('ai_fallbacks_total', { task: 'embed', reason: 'PROVIDER_ERROR' })).toBe(1);
    expect(metrics.value('ai_model_calls_total', { provider: 'selfhosted', outcome: 'ok' })).toBe(1);
  });

  it('gives PROVIDER_TIMEOUT when every target hangs past its attempt timeout', async () => {
    providers.openai.faults.always({ kind: 'hang' });
    providers.selfhosted.faults.always({ kind: 'hang' });
    const embedder = gatewayWith({ ATTEMPT_TIMEOUT_MS: '150', DEADLINE_MS: '3000' });
    const started = performance.now();
    expect(await embedder.embed(TENANT, ['one text'])).toEqual({
      kind: 'failed',
      reason: 'PROVIDER_TIMEOUT',
      retryAfterSeconds: null,
    });
    // A hung target is not retried: the next target is a better use of the deadline.
    expect(openaiRequests()).toBe(1);
    expect(selfhostedRequests()).toBe(1);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('gives RATE_LIMITED with the provider’s retry-after when every target is rate limited', async () => {
    providers.openai.faults.always({ kind: 'status', status: 429, retryAfterMs: 20 });
    providers.selfhosted.faults.always({ kind: 'status', status: 429, retryAfterMs: 1_500 });
    expect(await gatewayWith({ RETRY_MAX_ATTEMPTS: '1' }).embed(TENANT, ['one text'])).toEqual({
      kind: 'failed',
      reason: 'RATE_LIMITED',
      retryAfterSeconds: 2,
    });
  });

  it('treats a reply with the wrong number of vectors as malformed: retried, then the next target answers', async () => {
    providers.openai.faults.always({ kind: 'short-list', drop: 1 }, { path: EMBEDDINGS });
    const texts = ['first', 'second', 'third'];
    const embedder = gatewayWith({ RETRY_MAX_ATTEMPTS: '2' });
    expect(await embedder.embed(TENANT, texts)).toEqual(embeddedBy('selfhosted', SELFHOSTED_MODEL, texts));
    expect(openaiRequests()).toBe(2);
    const metrics = await embedder.metrics();
    expect(metrics.value('ai_model_calls_total', { provider: 'openai', outcome: 'malformed' })).toBe(1);
  });

  it('gives PROVIDER_ERROR when every target sends the wrong number of vectors', async () => {
    providers.openai.faults.always({ kind: 'short-list', drop: 1 });
    providers.selfhosted.faults.always({ kind: 'short-list', drop: 2 });
    const texts = ['first', 'second'];
    const outcome = await gatewayWith().embed(TENANT, texts);
    // Each short list came with its usage, billed though refused: OpenAI's at 20 nanos a token (self-hosted is free).
    const billed = openaiRequests() * texts.reduce((sum, text) => sum + estimateTokens(text), 0) * 20;
    expect(billed).toBeGreaterThan(0);
    expect(outcome).toEqual({
      kind: 'failed',
      reason: 'PROVIDER_ERROR',
      retryAfterSeconds: null,
      costNanos: billed,
    });
  });

  it('keeps to the tenant’s allowlist: the self-hosted endpoint only, or PROVIDER_NOT_ALLOWED with no request', async () => {
    const embedder = gatewayWith();
    expect(await embedder.embed(TENANT, ['one text'], { allowedProviders: ['selfhosted'] })).toEqual(
      embeddedBy('selfhosted', SELFHOSTED_MODEL, ['one text']),
    );
    expect(await embedder.embed(TENANT, ['one text'], { allowedProviders: ['anthropic'] })).toEqual({
      kind: 'failed',
      reason: 'PROVIDER_NOT_ALLOWED',
      retryAfterSeconds: null,
    });
    expect(openaiRequests()).toBe(0);
    expect(selfhostedRequests()).toBe(1);
  });

  it('names the current space per tenant: the first embed target its policy allows', () => {
    const { gateway } = gatewayWith();
    expect(gateway.embeddingModelFor()).toEqual({ provider: 'openai', model: OPENAI_MODEL });
    expect(gateway.embeddingModelFor(['selfhosted', 'anthropic'])).toEqual({
      provider: 'selfhosted',
      model: SELFHOSTED_MODEL,
    });
    expect(gateway.embeddingModelFor(['anthropic'])).toBeNull();
  });

  it('gives NO_PROVIDER_CONFIGURED where no configured provider embeds (Anthropic only)', async () => {
    const embedder = embedGateway({ ANTHROPIC_API_KEY: 'k' });
    expect(await embedder.embed(TENANT, ['one text'])).toEqual({
      kind: 'failed',
      reason: 'NO_PROVIDER_CONFIGURED',
      retryAfterSeconds: null,
    });
    expect(embedder.gateway.embeddingModelFor()).toBeNull();
  });

  it('prices the call from the price table, counts it, and logs it without any text', async () => {
    const texts = ['the secret-marker-7731 harbour log', 'a second secret-marker-7731 line'];
    const embedder = gatewayWith();
    const outcome = await embedder.embed(TENANT, texts, { purpose: 'document' });
    // text-embedding-3-small lists at 0.02 USD per million input tokens: 20 nano-dollars a token.
    const tokens = texts.reduce((sum, text) => sum + estimateTokens(text), 0);
    expect(outcome).toMatchObject({ kind: 'embedded', costNanos: tokens * 20 });
    expect(outcome.kind === 'embedded' && outcome.costNanos).toBeGreaterThan(0);
    const metrics = await embedder.metrics();
    expect(
      metrics.value('ai_model_calls_total', { provider: 'openai', model: OPENAI_MODEL, outcome: 'ok' }),
    ).toBe(1);
    const answered = embedder.logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'model answered');
    expect(answered).toEqual([
      expect.objectContaining({
        task: 'embed',
        target: `openai:${OPENAI_MODEL}`,
        texts: 2,
        requests: 1,
        costUsd: (tokens * 20) / 1e9,
        usage: { inputTokens: tokens, outputTokens: 0, responseModel: OPENAI_MODEL },
      }),
    ]);
    expect(embedder.logLines.join('\n')).not.toContain('secret-marker-7731');
  });

  it('abandons the request when the caller leaves, without blaming the target or trying the next', async () => {
    providers.openai.faults.always({ kind: 'hang' });
    const embedder = gatewayWith();
    const caller = new AbortController();
    const pending = embedder.embed(TENANT, ['one text'], { signal: caller.signal });
    await waitUntil(() => openaiRequests() === 1, 2_000, 'the request reaching OpenAI');
    caller.abort();
    expect(await pending).toMatchObject({ kind: 'failed' });
    await waitUntil(() => providers.openai.requests[0]?.aborted === true, 2_000, 'the request aborted');
    expect(selfhostedRequests()).toBe(0);
    const metrics = await embedder.metrics();
    expect(metrics.value('ai_model_calls_total', { provider: 'openai', outcome: 'abandoned' })).toBe(1);
    expect(metrics.value('ai_fallbacks_total', { task: 'embed' })).toBe(0);
  });

  it('answers no texts with no vectors and no request', async () => {
    expect(await gatewayWith().embed(TENANT, [])).toEqual({
      kind: 'embedded',
      provider: 'openai',
      model: OPENAI_MODEL,
      dimensions: 0,
      vectors: [],
      costNanos: 0,
      cached: false,
    });
    expect(providers.requestCount()).toBe(0);
  });
});

describe('the embed targets’ circuits', () => {
  it('open after repeated failures: the open target gets no request, and with every circuit open the outcome is CIRCUIT_OPEN', async () => {
    const embedder = gatewayWith({
      RETRY_MAX_ATTEMPTS: '1',
      CIRCUIT_CONSECUTIVE_FAILURES: '2',
      CIRCUIT_COOLDOWN_MS: '60000',
    });
    const document = (text: string) => embedder.embed(TENANT, [text], { purpose: 'document' });
    providers.openai.faults.always({ kind: 'status', status: 503 });
    for (const text of ['one', 'two']) {
      expect(await document(text)).toMatchObject({ kind: 'embedded', provider: 'selfhosted' });
    }
    expect(openaiRequests()).toBe(2);

    // OpenAI's circuit is open: skipped without a request.
    expect(await document('three')).toMatchObject({ kind: 'embedded', provider: 'selfhosted' });
    expect(openaiRequests()).toBe(2);

    providers.selfhosted.faults.always({ kind: 'status', status: 503 });
    for (const text of ['four', 'five']) {
      expect(await document(text)).toMatchObject({ kind: 'failed', reason: 'PROVIDER_ERROR' });
    }
    const before = providers.requestCount();
    expect(await document('six')).toEqual({
      kind: 'failed',
      reason: 'CIRCUIT_OPEN',
      retryAfterSeconds: null,
    });
    expect(providers.requestCount()).toBe(before);

    const metrics = await embedder.metrics();
    expect(metrics.value('ai_circuit_open', { provider: 'openai', model: OPENAI_MODEL })).toBe(1);
    expect(metrics.value('ai_circuit_open', { provider: 'selfhosted', model: SELFHOSTED_MODEL })).toBe(1);
  });
});
