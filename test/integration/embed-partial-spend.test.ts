// Finding 1 of the review: an embedding attempt that fails on a later batch had charged 0 for the batches the
// provider already answered (and billed). 200 texts at EMBED_BATCH_SIZE=64 are four requests to one target;
// when the fourth fails after its retries, or comes back malformed, the attempt settles its reservation to what
// the provider reported for the requests it answered, and the outcome's cost (what the ledger records) carries
// it, whether the next target answers or the call fails. Real provider spend, fake servers, real Redis.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import type { SpendLimiter } from '../../subgraph/limits/spend-limiter';
import { embedGateway } from '../support/embed-gateway';
import type { EmbedGateway } from '../support/embed-gateway';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, startHarness, useFakeProviders } from '../support/harness';
import type { Harness } from '../support/harness';
import { estimateTokens } from '../support/providers';
import { REDIS_URL, connectRedis, requireRedis } from '../support/services';
import { settledNanos } from '../support/spend-ledger';

jest.setTimeout(60_000);
requireRedis();

const EMBEDDINGS = '/v1/embeddings';
const SELFHOSTED_MODEL = 'local-embed';
const BATCH = 64;
/** OpenAI's list price (0.02 USD per million tokens) and a self-hosted price set here: nanos a token. */
const OPENAI_NANOS_PER_TOKEN = 20;
const SELFHOSTED_NANOS_PER_TOKEN = 10;
const PRICES = JSON.stringify({
  [`selfhosted:${SELFHOSTED_MODEL}`]: {
    inputPerMillion: SELFHOSTED_NANOS_PER_TOKEN / 1000,
    outputPerMillion: 0,
  },
});
const CAPS = { monthlyNanos: 1_000_000_000 };

const passages = (count: number) =>
  Array.from({ length: count }, (_, i) => `passage ${i} on harbour cranes, shift ${i % 7}`);
const tokensOf = (texts: readonly string[]) => texts.reduce((sum, text) => sum + estimateTokens(text), 0);

const run = randomBytes(4).toString('hex');
let tenantNumber = 0;
const newTenant = () => `partial-embed-${run}-${(tenantNumber += 1)}`;

describe('finding 1: an embedding attempt that fails on a later batch charges the batches already answered', () => {
  const providers = useFakeProviders(['openai', 'selfhosted']);
  let redis: Redis;
  let limiter: SpendLimiter;

  beforeAll(() => {
    redis = connectRedis();
    limiter = createRedisSpendLimiter(redis);
  });
  afterAll(() => redis.disconnect());

  const gatewayWith = (env: Record<string, string> = {}): EmbedGateway =>
    embedGateway(
      {
        ...providers.env,
        SELFHOSTED_EMBEDDING_MODEL: SELFHOSTED_MODEL,
        EMBED_BATCH_SIZE: String(BATCH),
        MODEL_PRICES_JSON: PRICES,
        ...FAST_RETRIES,
        ...CIRCUITS_STAY_CLOSED,
        RETRY_MAX_ATTEMPTS: '2',
        ...env,
      },
      redis,
    );
  const texts = passages(200);
  const firstThree = texts.slice(0, 3 * BATCH);
  const answeredNanos = tokensOf(firstThree) * OPENAI_NANOS_PER_TOKEN;

  it('settles and reports the three batches OpenAI billed when its fourth fails and the next target answers', async () => {
    const tenant = newTenant();
    providers.openai.faults
      .times(3, { kind: 'latency', ms: 0 }, { path: EMBEDDINGS })
      .always({ kind: 'status', status: 500 }, { path: EMBEDDINGS });
    const outcome = await gatewayWith().embed(tenant, texts, { purpose: 'document', spendCaps: CAPS });
    expect(outcome).toMatchObject({ kind: 'embedded', provider: 'selfhosted' });
    // Four requests and one retry of the fourth at OpenAI; all 200 texts again at the self-hosted target.
    expect(providers.openai.requestCount(EMBEDDINGS)).toBe(5);
    expect(providers.selfhosted.requestCount(EMBEDDINGS)).toBe(4);
    const fallbackNanos = tokensOf(texts) * SELFHOSTED_NANOS_PER_TOKEN;
    expect(outcome.kind === 'embedded' && outcome.costNanos).toBe(answeredNanos + fallbackNanos);
    expect(await settledNanos(limiter, tenant)).toBe(answeredNanos + fallbackNanos);
  });

  it('settles and reports them when every target fails: the failed outcome carries what was billed', async () => {
    const tenant = newTenant();
    providers.openai.faults
      .times(3, { kind: 'latency', ms: 0 }, { path: EMBEDDINGS })
      .always({ kind: 'status', status: 500 }, { path: EMBEDDINGS });
    providers.selfhosted.faults.always({ kind: 'status', status: 500 }, { path: EMBEDDINGS });
    const outcome = await gatewayWith().embed(tenant, texts, { purpose: 'document', spendCaps: CAPS });
    expect(outcome).toEqual({
      kind: 'failed',
      reason: 'PROVIDER_ERROR',
      retryAfterSeconds: null,
      costNanos: answeredNanos,
    });
    expect(await settledNanos(limiter, tenant)).toBe(answeredNanos);
  });

  it('settles a malformed fourth batch’s reported usage too: the provider billed each of its replies', async () => {
    const tenant = newTenant();
    providers.openai.faults
      .times(3, { kind: 'latency', ms: 0 }, { path: EMBEDDINGS })
      .always({ kind: 'short-list', drop: 1 }, { path: EMBEDDINGS });
    const outcome = await gatewayWith().embed(tenant, texts, { purpose: 'document', spendCaps: CAPS });
    expect(outcome).toMatchObject({ kind: 'embedded', provider: 'selfhosted' });
    // The fourth batch came back short twice (a try and its retry), each with its usage.
    const malformedNanos = 2 * tokensOf(texts.slice(3 * BATCH)) * OPENAI_NANOS_PER_TOKEN;
    const billed = answeredNanos + malformedNanos + tokensOf(texts) * SELFHOSTED_NANOS_PER_TOKEN;
    expect(outcome.kind === 'embedded' && outcome.costNanos).toBe(billed);
    expect(await settledNanos(limiter, tenant)).toBe(billed);
  });
});

describe('finding 1 through ingest: the ledger and the spend cap both see the billed batches', () => {
  const tenant = newTenant();
  let harness: Harness;
  let redis: Redis;

  beforeAll(async () => {
    harness = await startHarness({
      // PGlite carries pgvector: the ingest stores the vectors.
      store: 'pglite',
      providers: ['openai', 'selfhosted'],
      env: {
        EMBED_SWEEP_INTERVAL_MS: '0',
        REDIS_URL,
        SELFHOSTED_EMBEDDING_MODEL: SELFHOSTED_MODEL,
        EMBED_BATCH_SIZE: String(BATCH),
        CHUNK_MAX_CHARS: '200',
        CHUNK_OVERLAP_CHARS: '0',
        MODEL_PRICES_JSON: PRICES,
        ...FAST_RETRIES,
        ...CIRCUITS_STAY_CLOSED,
        RETRY_MAX_ATTEMPTS: '2',
        TENANT_POLICIES_JSON: JSON.stringify({ tenants: { [tenant]: { limits: { monthlyCapUsd: 10 } } } }),
      },
    });
    redis = connectRedis();
  });
  afterAll(async () => {
    redis?.disconnect();
    await harness?.stop();
  });

  it('ingests 200 chunks at the fallback target, charging OpenAI’s three answered batches to both', async () => {
    // 200 paragraphs of 157 characters: one chunk each at CHUNK_MAX_CHARS=200.
    const body = Array.from(
      { length: 200 },
      (_, i) =>
        `Paragraph ${String(i).padStart(3, '0')} tells how harbour crane ${String(i).padStart(3, '0')} lifts the ` +
        `blue containers from the ferry deck on shift ${i % 7} while the grey gulls follow it along the old quay at dawn.`,
    ).join('\n\n');
    harness.providers.openai.faults
      .times(3, { kind: 'latency', ms: 0 }, { path: EMBEDDINGS })
      .always({ kind: 'status', status: 500 }, { path: EMBEDDINGS });
    const client = harness.as(tenant);
    expect(await client.ingest({ id: 'cranes', title: 'Harbour cranes', body })).toMatchObject({
      chunks: 200,
      embedded: true,
    });
    const sent = (server: typeof harness.providers.openai) =>
      server.requests
        .filter((request) => request.path === EMBEDDINGS)
        .map((request) => (request.body as { input: string[] }).input);
    const openai = sent(harness.providers.openai);
    expect(openai.map((input) => input.length)).toEqual([64, 64, 64, 8, 8]);
    const answered = tokensOf(openai.slice(0, 3).flat()) * OPENAI_NANOS_PER_TOKEN;
    const fallback = tokensOf(sent(harness.providers.selfhosted).flat()) * SELFHOSTED_NANOS_PER_TOKEN;
    expect(answered).toBeGreaterThan(0);

    const limiterNanos = await settledNanos(createRedisSpendLimiter(redis), tenant);
    const ledgerNanos = Math.round((await client.usage()).spendUsdThisMonth * 1e9);
    expect(limiterNanos).toBe(answered + fallback);
    expect(ledgerNanos).toBe(answered + fallback);
  });

  it('with every target failing, stores the document lexical-only and records the billed batches in the ledger', async () => {
    const body = Array.from(
      { length: 100 },
      (_, i) =>
        `Paragraph ${String(i).padStart(3, '0')} tells how harbour crane ${String(i).padStart(3, '0')} lifts the ` +
        `red containers from the barge deck on shift ${i % 5} while the white gulls follow it along the new quay at dusk.`,
    ).join('\n\n');
    harness.providers.reset();
    harness.providers.openai.faults
      .once({ kind: 'latency', ms: 0 }, { path: EMBEDDINGS })
      .always({ kind: 'status', status: 500 }, { path: EMBEDDINGS });
    harness.providers.selfhosted.faults.always({ kind: 'status', status: 500 }, { path: EMBEDDINGS });
    const client = harness.as(tenant);
    const limiter = createRedisSpendLimiter(redis);
    const before = {
      limiter: await settledNanos(limiter, tenant),
      ledger: Math.round((await client.usage()).spendUsdThisMonth * 1e9),
    };
    expect(await client.ingest({ id: 'barges', title: 'Barge cranes', body })).toMatchObject({
      chunks: 100,
      embedded: false,
    });
    const answeredInput = (
      harness.providers.openai.requests.find((request) => request.path === EMBEDDINGS)?.body as {
        input: string[];
      }
    ).input;
    const billed = tokensOf(answeredInput) * OPENAI_NANOS_PER_TOKEN;
    expect(billed).toBeGreaterThan(0);
    expect((await settledNanos(limiter, tenant)) - before.limiter).toBe(billed);
    expect(Math.round((await client.usage()).spendUsdThisMonth * 1e9) - before.ledger).toBe(billed);
  });
});
