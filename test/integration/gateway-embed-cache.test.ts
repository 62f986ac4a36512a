// The query-embedding cache through the gateway, with each adapter the subgraph can choose (process memory
// without Redis, Redis with it): a repeated query of one tenant makes no provider request, another tenant's
// identical query makes its own, document embeddings are never cached, a vector cached from a fallback never
// stands in for the primary's space, a redacted query's vector never answers for the text sent as it is, and a
// cache outage costs a provider call, never the vectors.
import { randomBytes } from 'node:crypto';
import { embeddingCacheKey } from '../../subgraph/gateway/cache/embedding-cache';
import { Redis } from 'ioredis';
import { embedGateway } from '../support/embed-gateway';
import type { EmbedGateway } from '../support/embed-gateway';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, useFakeProviders } from '../support/harness';
import { connectRedis, requireRedis } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requireRedis();

const EMBEDDINGS = '/v1/embeddings';
const OPENAI_MODEL = 'text-embedding-3-small';
const SELFHOSTED_MODEL = 'local-embed';
const run = randomBytes(5).toString('hex');
const QUERY = ['where do the cranes rest at night?'];

const providers = useFakeProviders(['openai', 'selfhosted']);
const openaiRequests = () => providers.openai.requestCount(EMBEDDINGS);
const selfhostedRequests = () => providers.selfhosted.requestCount(EMBEDDINGS);

let redis: Redis;
let tenantNumber = 0;
/** A tenant of this run and test: no entry of an earlier test or run can answer for it. */
const newTenant = () => `embed-${run}-${(tenantNumber += 1)}`;

beforeAll(async () => {
  redis = connectRedis({ lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect();
});

afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(`ai:embed:{embed-${run}-*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function gatewayOn(adapter: 'memory' | 'redis', env: Record<string, string> = {}): EmbedGateway {
  return embedGateway(
    {
      ...providers.env,
      SELFHOSTED_EMBEDDING_MODEL: SELFHOSTED_MODEL,
      ...FAST_RETRIES,
      ...CIRCUITS_STAY_CLOSED,
      ...env,
    },
    adapter === 'redis' ? redis : null,
  );
}

describe.each(['memory', 'redis'] as const)('the query-embedding cache: %s', (adapter) => {
  it('answers a repeated query of the same tenant without a provider request, saying cached', async () => {
    const tenant = newTenant();
    const embedder = gatewayOn(adapter);
    const first = await embedder.embed(tenant, QUERY);
    expect(first).toMatchObject({ kind: 'embedded', provider: 'openai', cached: false });
    expect(openaiRequests()).toBe(1);

    const second = await embedder.embed(tenant, QUERY);
    expect(second).toEqual({
      kind: 'embedded',
      provider: 'openai',
      model: OPENAI_MODEL,
      dimensions: first.kind === 'embedded' ? first.dimensions : -1,
      vectors: first.kind === 'embedded' ? first.vectors : [],
      costNanos: 0,
      cached: true,
    });
    expect(openaiRequests()).toBe(1);
    const metrics = await embedder.metrics();
    expect(metrics.value('ai_cache_lookups_total', { task: 'embed', result: 'miss' })).toBe(1);
    expect(metrics.value('ai_cache_lookups_total', { task: 'embed', result: 'hit' })).toBe(1);
    expect(metrics.value('ai_model_calls_total', { outcome: 'ok' })).toBe(1);
  });

  it('makes another tenant’s identical query a provider request of its own', async () => {
    const embedder = gatewayOn(adapter);
    await embedder.embed(newTenant(), QUERY);
    const other = await embedder.embed(newTenant(), QUERY);
    expect(other).toMatchObject({ kind: 'embedded', cached: false });
    expect(openaiRequests()).toBe(2);
  });

  it('never caches document embeddings', async () => {
    const tenant = newTenant();
    const embedder = gatewayOn(adapter);
    await embedder.embed(tenant, QUERY, { purpose: 'document' });
    expect(await embedder.embed(tenant, QUERY, { purpose: 'document' })).toMatchObject({ cached: false });
    // Nor does a document embedding fill the cache for a later query.
    expect(await embedder.embed(tenant, QUERY)).toMatchObject({ cached: false });
    expect(openaiRequests()).toBe(3);
  });

  it('caches nothing with EMBED_CACHE_TTL_MS=0', async () => {
    const tenant = newTenant();
    const embedder = gatewayOn(adapter, { EMBED_CACHE_TTL_MS: '0' });
    await embedder.embed(tenant, QUERY);
    expect(await embedder.embed(tenant, QUERY)).toMatchObject({ cached: false });
    expect(openaiRequests()).toBe(2);
  });

  it('keeps vectors per model: one cached from the fallback does not answer once the primary is back', async () => {
    const tenant = newTenant();
    const embedder = gatewayOn(adapter, { RETRY_MAX_ATTEMPTS: '1' });
    providers.openai.faults.once({ kind: 'status', status: 500 });
    expect(await embedder.embed(tenant, QUERY)).toMatchObject({ provider: 'selfhosted', cached: false });

    // OpenAI answers again: its space is the current one, so it is asked rather than the fallback's entry served.
    expect(await embedder.embed(tenant, QUERY)).toMatchObject({ provider: 'openai', cached: false });
    expect(await embedder.embed(tenant, QUERY)).toMatchObject({ provider: 'openai', cached: true });
    expect(openaiRequests()).toBe(2);
    expect(selfhostedRequests()).toBe(1);
  });

  it('serves a query whose every text is cached; one new text sends the whole query', async () => {
    const tenant = newTenant();
    const embedder = gatewayOn(adapter);
    await embedder.embed(tenant, ['alpha', 'beta']);
    expect(await embedder.embed(tenant, ['beta', 'alpha'])).toMatchObject({ cached: true });
    expect(await embedder.embed(tenant, ['alpha', 'gamma'])).toMatchObject({ cached: false });
    expect(providers.openai.requests.map((request) => (request.body as { input: string[] }).input)).toEqual([
      ['alpha', 'beta'],
      ['alpha', 'gamma'],
    ]);
  });

  it('keeps a redacted query’s vector apart from the same text sent as it is (a tenant’s policy changed)', async () => {
    const tenant = newTenant();
    const embedder = gatewayOn(adapter);
    const query = ['where does ops.lead@quokka-shipping.example moor the cranes?'];
    const redacted = await embedder.embed(tenant, query, { redactPii: true });
    const plain = await embedder.embed(tenant, query);
    if (redacted.kind !== 'embedded' || plain.kind !== 'embedded') throw new Error('not embedded');
    expect([redacted.cached, plain.cached]).toEqual([false, false]);
    expect(plain.vectors).not.toEqual(redacted.vectors);
    expect(await embedder.embed(tenant, query, { redactPii: true })).toEqual({
      ...redacted,
      cached: true,
      costNanos: 0,
    });
    expect(providers.openai.requests.map((request) => (request.body as { input: string[] }).input)).toEqual([
      ['where does ⟦EMAIL_1⟧ moor the cranes?'],
      query,
    ]);
  });
});

describe('the query-embedding cache in Redis', () => {
  it('keeps each vector as float32 bytes under the tenant, the model and the text’s sha256, for the TTL', async () => {
    const tenant = newTenant();
    const outcome = await gatewayOn('redis', { EMBED_CACHE_TTL_MS: '60000' }).embed(tenant, QUERY);
    const key = embeddingCacheKey({
      tenantId: tenant,
      targetId: `openai:${OPENAI_MODEL}`,
      text: QUERY[0] ?? '',
    });
    expect(key.startsWith(`{${tenant}}:`)).toBe(true);
    const stored = await redis.get(`ai:embed:${key}`);
    const bytes = Buffer.from(stored ?? '', 'base64');
    const dimensions = outcome.kind === 'embedded' ? outcome.dimensions : 0;
    expect(bytes.byteLength).toBe(dimensions * 4);
    expect(outcome.kind === 'embedded' && outcome.vectors[0]?.[7]).toBe(bytes.readFloatLE(7 * 4));
    const ttl = await redis.pttl(`ai:embed:${key}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('costs a provider call, never the vectors, when Redis is down', async () => {
    // A client that queues nothing, of a port where no Redis listens: every read and write fails at once. (A
    // lazy client of the real server would connect during the first call, and a disconnect() racing that
    // connection left its socket open and the test process running.)
    const gone = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    gone.on('error', () => undefined);
    try {
      const embedder = embedGateway(
        { ...providers.env, SELFHOSTED_EMBEDDING_MODEL: SELFHOSTED_MODEL, ...FAST_RETRIES },
        gone,
      );
      const tenant = newTenant();
      expect(await embedder.embed(tenant, QUERY)).toMatchObject({ kind: 'embedded', cached: false });
      expect(await embedder.embed(tenant, QUERY)).toMatchObject({ kind: 'embedded', cached: false });
      expect(openaiRequests()).toBe(2);
      const logged = embedder.logLines.join('\n');
      expect(logged).toContain('embedding cache read failed');
      expect(logged).toContain('embedding cache write failed');
    } finally {
      gone.disconnect();
    }
  });
});
