// What a ModelGateway is made of: its settings (from the config's gateway section) and the parts it calls, the
// providers, routes, caches, prompts, prices, the tenants' rate and spend gates, metrics and the log.
import type { RateGate } from '../limits/rate-gate';
import type { SpendGate } from '../limits/spend-gate';
import type { LoopStallClock } from '../observability/event-loop-lag';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { CompletionCache } from './cache/completion-cache';
import type { CompletionTask } from './gateway-call';
import type { EmbeddingCache } from './cache/embedding-cache';
import type { EmbedSettings } from './embed-through-chain';
import type { HedgeSettings } from './hedge-plan';
import type { PriceTable } from './pricing';
import type { PromptLibrary } from './prompts/prompt-library';
import type { ModelProvider, ProviderName } from './providers/model-provider';
import type { ResilienceSettings } from './resilience/target-guard';
import type { RouteTable } from './routing/route-config';

export interface GatewaySettings {
  resilience: ResilienceSettings;
  deadlineMs: number;
  cacheTtlMs: Record<CompletionTask, number>;
  staleGraceMs: number;
  /** The longest a completion-cache read or write holds a call (less when its deadline has less left). */
  cacheLookupTimeoutMs?: number;
  /** The longest a streamed answer may run once it has started. */
  streamMaxMs: number;
  embed: EmbedSettings;
  hedge: HedgeSettings;
}

export interface GatewayDeps {
  providers: ReadonlyMap<ProviderName, ModelProvider>;
  routes: RouteTable;
  cache: CompletionCache;
  /** Query embeddings, per tenant and target. */
  embeddingCache: EmbeddingCache;
  prompts: PromptLibrary;
  prices: PriceTable;
  /** The tenants' rate limits, checked after a cache miss. */
  rateGate: RateGate;
  /** The tenants' spend caps, reserved before each target attempt. */
  spendGate: SpendGate;
  metrics: Metrics;
  logger: Logger;
  settings: GatewaySettings;
  /** The event loop's stall clock: a timeout it explains is this replica's overload, not the target's. */
  loopStalls?: LoopStallClock;
}
