// The gateway section: the configured providers (from the registry), the route table, prices, prompt pins,
// cache sizes, the embedding batch and cache settings, and the resilience and deadline settings.
import { ConfigError } from '../errors/config-error';
import { priceListFrom, priceTableOf } from '../gateway/pricing';
import { providerSettingsFrom } from '../gateway/providers/registry';
import { loadRouteTable } from '../gateway/routing/route-config';
import { refuseUnpricedTargets, unpricedTargets } from '../gateway/unpriced-targets';
import type { Env } from './env-schema';
import { readJsonDocument } from './json-document';
import type { GatewayConfig } from './sections';

/** A reservation outlives the longest call by this much: a settle arriving late still finds it. */
const RESERVATION_TTL_MARGIN_MS = 30_000;

export function gatewaySection(env: Env, production: boolean): GatewayConfig {
  const providers = providerSettingsFrom(env);
  const routes = readJsonDocument(
    { variable: 'GATEWAY_ROUTES_FILE', value: env.GATEWAY_ROUTES_FILE },
    { variable: 'GATEWAY_ROUTES_JSON', value: env.GATEWAY_ROUTES_JSON },
  );
  // Ignoring it would send a restricted tenant's content to a provider its policy forbids.
  if (
    routes &&
    typeof routes.raw === 'object' &&
    routes.raw !== null &&
    Object.hasOwn(routes.raw, 'tenants')
  ) {
    throw new ConfigError(
      `${routes.label} at tenants: tenant policies moved to TENANT_POLICIES_FILE / TENANT_POLICIES_JSON ({"tenants": {"<tenant id>": {"allowedProviders": [...]}}}); remove them from the route table`,
    );
  }
  const routeTable = loadRouteTable(routes, providers, env.SMALL_MODEL_MAX_INPUT_CHARS);
  const priceList = priceListFrom(env.MODEL_PRICES_JSON);
  const unpriced = unpricedTargets(routeTable, priceList);
  if (production) refuseUnpricedTargets(unpriced);
  const longestCallMs = Math.max(
    env.DEADLINE_MS,
    env.STREAM_MAX_MS,
    // A background job's model call runs under the job's own deadline.
    env.JOB_DEADLINE_MS,
    ...Object.values(routeTable.tasks).map((task) => task.deadlineMs ?? 0),
  );
  return {
    providers,
    routes: routeTable,
    prices: priceTableOf(priceList),
    unpricedTargets: unpriced,
    promptVersions: env.PROMPT_VERSIONS,
    cacheMaxBytes: env.CACHE_MAX_MB * 1024 * 1024,
    embedCacheMaxBytes: env.EMBED_CACHE_MAX_MB * 1024 * 1024,
    limits: { timeoutMs: env.LIMITS_TIMEOUT_MS, onFailure: env.LIMITS_ON_REDIS_FAILURE },
    spend: {
      timeoutMs: env.LIMITS_TIMEOUT_MS,
      onFailure: env.LIMITS_ON_REDIS_FAILURE,
      reservationTtlMs: env.SPEND_RESERVATION_TTL_MS || longestCallMs + RESERVATION_TTL_MARGIN_MS,
    },
    settings: {
      deadlineMs: env.DEADLINE_MS,
      cacheTtlMs: {
        summarize: env.CACHE_TTL_SUMMARIZE_SECONDS * 1000,
        answer: env.CACHE_TTL_ANSWER_SECONDS * 1000,
        // A verdict on the same question is the same verdict.
        guard: env.CACHE_TTL_ANSWER_SECONDS * 1000,
      },
      staleGraceMs: env.CACHE_STALE_GRACE_SECONDS * 1000,
      cacheLookupTimeoutMs: env.CACHE_LOOKUP_TIMEOUT_MS,
      streamMaxMs: env.STREAM_MAX_MS,
      embed: {
        batchSize: env.EMBED_BATCH_SIZE,
        cacheTtlMs: env.EMBED_CACHE_TTL_MS,
        cacheLookupTimeoutMs: env.CACHE_LOOKUP_TIMEOUT_MS,
      },
      hedge: { defaultAfterMs: env.HEDGE_DEFAULT_AFTER_MS, minAfterMs: env.HEDGE_MIN_AFTER_MS },
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
  };
}
