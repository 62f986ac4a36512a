// Builds the model gateway from its config section: provider adapters, route table, caches (completions and
// query embeddings: Redis when there is one, else memory), the tenants' rate limits and spend caps (likewise), prompts, prices
// and resilience settings.
import type { Redis } from 'ioredis';
import type { GatewayConfig } from '../config';
import type { LoopStallClock } from '../observability/event-loop-lag';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { createMemoryCompletionCache } from './cache/memory-completion-cache';
import { createRedisCompletionCache } from './cache/redis-completion-cache';
import { createMemoryEmbeddingCache } from './cache/memory-embedding-cache';
import { createRedisEmbeddingCache } from './cache/redis-embedding-cache';
import { ModelGateway } from './gateway';
import { PromptLibrary } from './prompts/prompt-library';
import { configuredProviders } from './providers/configured-providers';
import { createRateGate } from '../limits/rate-gate';
import { createRedisRateLimiter } from '../limits/redis-rate-limiter';
import { createSpendGate } from '../limits/spend-gate';
import type { SpendSeed } from '../limits/memory-spend-limiter';
import { createRedisSpendLimiter } from '../limits/redis-spend-limiter';

export function createGateway(
  config: GatewayConfig,
  deps: {
    redis: Redis | null;
    metrics: Metrics;
    logger: Logger;
    spendSeed?: SpendSeed;
    loopStalls?: LoopStallClock;
  },
): ModelGateway {
  return new ModelGateway({
    providers: configuredProviders(config.providers),
    routes: config.routes,
    cache: deps.redis
      ? createRedisCompletionCache(deps.redis)
      : createMemoryCompletionCache(config.cacheMaxBytes),
    embeddingCache: deps.redis
      ? createRedisEmbeddingCache(deps.redis)
      : createMemoryEmbeddingCache(config.embedCacheMaxBytes),
    prompts: new PromptLibrary(config.promptVersions),
    prices: config.prices,
    rateGate: createRateGate(deps.redis ? createRedisRateLimiter(deps.redis) : null, config.limits, deps),
    spendGate: createSpendGate(deps.redis ? createRedisSpendLimiter(deps.redis) : null, config.spend, {
      ...deps,
      seed: deps.spendSeed,
    }),
    metrics: deps.metrics,
    logger: deps.logger,
    settings: config.settings,
    loopStalls: deps.loopStalls,
  });
}
