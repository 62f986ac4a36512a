// The one object graph both ask pipelines of bench:rails run on: the real app (createApp, PGlite in memory,
// no Redis) configured against the fake OpenAI child, with every cache that would let one pipeline ride on
// the other's work turned off (completion cache, search cache, query-embedding cache), and two tenants
// seeded with the same corpus: `bench` on the default rails, `strict` with the rails at their most
// expensive (provider redaction, flagged chunks fenced, a topic scope).
import type { App } from '../../subgraph/app';
import { createApp } from '../../subgraph/app';
import { loadConfig } from '../../subgraph/config';
import type { FeatureCall } from '../../subgraph/features/feature-call';
import type { FeatureDeps } from '../../subgraph/features/feature-deps';
import { createOperationBudget } from '../../subgraph/features/operation-budget';
import { NEVER_SHED } from '../../subgraph/limits/load-shed';
import { createLogger } from '../../subgraph/observability/logger';
import { withSearchCache } from '../../subgraph/retrieval/search-cache';
import { railsCorpus } from './corpus';

export const TENANTS = {
  /** Every rail at the defaults: injection `flag`, flagged chunks `omit`, grounding `drop`, no redaction. */
  default: 'bench',
  /** Rails at their most expensive: redaction before the provider, flagged chunks fenced, topics screened. */
  strict: 'strict',
} as const;
export type TenantKey = keyof typeof TENANTS;

const POLICIES = {
  tenants: {
    [TENANTS.strict]: {
      guardrails: {
        injection: 'flag',
        flaggedChunks: 'fence',
        redactBeforeProvider: true,
        grounding: 'drop',
        topics: { deny: ['medical advice', 'stock tips', 'election', 'weapons', 'gambling'] },
      },
    },
  },
};

export interface RailsWorld {
  app: App;
  /** Built as createApp builds the features' deps (subgraph/app.ts), so both pipelines share every adapter. */
  deps: FeatureDeps;
  seeded: { documents: number; chunks: number; flaggedChunks: number; seedMs: number };
  callFor(tenant: TenantKey, requestId: string): FeatureCall;
}

export async function openRailsWorld(providerBaseURL: string, documents: number): Promise<RailsWorld> {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATA_DIR: ':memory:',
    DATABASE_URL: '',
    REDIS_URL: '',
    AUTH_JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789',
    AUTH_ISSUER: 'https://auth.bench.example',
    AUTH_AUDIENCE: 'ai-subgraph',
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: providerBaseURL,
    // Every request reaches the provider and the store: no cached answer, search or query vector.
    CACHE_TTL_ANSWER_SECONDS: '0',
    SEARCH_CACHE_MAX_MB: '0',
    EMBED_CACHE_TTL_MS: '0',
    EMBED_SWEEP_INTERVAL_MS: '0',
    TENANT_POLICIES_JSON: JSON.stringify(POLICIES),
  });
  const app = await createApp(config, createLogger(config.logging.level));
  const deps: FeatureDeps = {
    gateway: app.gateway,
    documents: withSearchCache(app.store.documents, app.state.corpus, {
      maxBytes: config.retrieval.searchCacheMaxBytes,
      ttlMs: config.retrieval.searchCacheTtlMs,
      logger: app.logger,
    }),
    usage: app.state.usage,
    streamLeases: app.state.streamLeases,
    metrics: app.metrics,
    logger: app.logger,
    chunking: config.retrieval.chunking,
    rrfK: config.retrieval.rrfK,
    askMinSimilarity: config.retrieval.askMinSimilarity,
    summaryDefaultWords: config.features.summaryDefaultWords,
    quality: app.quality,
    samples: app.samples,
    loadShed: NEVER_SHED,
  };
  const callFor = (tenant: TenantKey, requestId: string): FeatureCall => ({
    tenant: {
      tenantId: TENANTS[tenant],
      subject: 'bench-rails',
      scopes: new Set(['ai:ingest']),
      policy: config.tenants.forTenant(TENANTS[tenant]),
    },
    requestId,
    loadDocument: () => Promise.resolve(null),
    budget: createOperationBudget(Number.POSITIVE_INFINITY),
  });
  try {
    const started = Date.now();
    const corpus = railsCorpus(documents);
    let chunks = 0;
    let flaggedChunks = 0;
    for (const tenant of Object.keys(TENANTS) as TenantKey[]) {
      for (const doc of corpus) {
        const ingested = await app.features.ingest.ingest(callFor(tenant, 'bench-seed'), doc);
        if (!ingested.embedded) throw new Error(`${doc.id} was stored without vectors: is the provider up?`);
        chunks += ingested.chunks;
        flaggedChunks += ingested.flagged.length;
      }
    }
    const seeded = { documents: corpus.length, chunks, flaggedChunks, seedMs: Date.now() - started };
    return { app, deps, seeded, callFor };
  } catch (error) {
    await app.close();
    throw error;
  }
}
