// Builds the model gateway from the environment: providers, route table, cache (Redis or memory), prompts,
// prices and resilience settings.
import type { Redis } from 'ioredis';
import type { Env } from '../config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { createMemoryCompletionCache } from './cache/memory-completion-cache';
import { createRedisCompletionCache } from './cache/redis-completion-cache';
import { ModelGateway } from './gateway';
import { createPriceTable } from './pricing';
import { PromptLibrary } from './prompts/prompt-library';
import { configuredProviders } from './providers/configured-providers';
import { loadRouteTable } from './routing/route-config';

export function createGateway(
  env: Env,
  deps: { redis: Redis | null; metrics: Metrics; logger: Logger },
): ModelGateway {
  const providers = configuredProviders(env);
  return new ModelGateway({
    providers,
    routes: loadRouteTable(env, new Set(providers.keys())),
    cache: deps.redis
      ? createRedisCompletionCache(deps.redis)
      : createMemoryCompletionCache(env.CACHE_MAX_ENTRIES),
    prompts: new PromptLibrary(env.PROMPT_VERSIONS),
    prices: createPriceTable(env.MODEL_PRICES_JSON),
    metrics: deps.metrics,
    logger: deps.logger,
    settings: {
      deadlineMs: env.DEADLINE_MS,
      cacheTtlMs: {
        summarize: env.CACHE_TTL_SUMMARIZE_SECONDS * 1000,
        answer: env.CACHE_TTL_ANSWER_SECONDS * 1000,
      },
      staleGraceMs: env.CACHE_STALE_GRACE_SECONDS * 1000,
      streamMaxMs: env.STREAM_MAX_MS,
      resilience: {
        attemptTimeoutMs: env.ATTEMPT_TIMEOUT_MS,
        maxAttempts: env.RETRY_MAX_ATTEMPTS,
        baseDelayMs: env.RETRY_BASE_DELAY_MS,
        maxDelayMs: env.RETRY_MAX_DELAY_MS,
        consecutiveFailures: env.CIRCUIT_CONSECUTIVE_FAILURES,
        failureRate: env.CIRCUIT_FAILURE_RATE,
        rateWindow: env.CIRCUIT_RATE_WINDOW,
        cooldownMs: env.CIRCUIT_COOLDOWN_MS,
      },
    },
  });
}
