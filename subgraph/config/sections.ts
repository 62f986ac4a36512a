// The configuration as typed sections: each layer receives its own and never an environment variable.
import type { GatewaySettings } from '../gateway/gateway-deps';
import type { PriceTable } from '../gateway/pricing';
import type { ProvidersConfig } from '../gateway/providers/registry';
import type { RouteTable } from '../gateway/routing/route-config';
import type { TenantPolicies } from '../tenancy/tenant-policies';
import type { RateGateSettings } from '../limits/rate-gate';
import type { SpendGateSettings } from '../limits/spend-gate';
import type { LOG_LEVELS } from './env-schema';

export interface ServerConfig {
  port: number;
  host: string;
  /** HTTP body and WebSocket message limit. */
  maxRequestBytes: number;
  maxQueryDepth: number;
  maxQueryCost: number;
  maxQueryAliases: number;
  /**
   * Distinct AI field resolutions (summarize, search, ask, Document.aiSummary) one operation may cause,
   * across aliases, list variables and `_entities` representations; past it a field is RATE_LIMITED.
   */
  maxAiFieldsPerOperation: number;
  /** Representations one `_entities` field resolves; past them each item is null, under one BAD_USER_INPUT. */
  maxEntityRepresentations: number;
  /** How long an idle keep-alive connection stays open: longer than the router's or load balancer's pool. */
  keepAliveTimeoutMs: number;
  /** Parsed and validated GraphQL documents remembered by Apollo, up to this estimated heap; 0 disables. */
  documentCacheMaxBytes: number;
  /** Tokens one operation may have, HTTP and graphql-ws: parsing stops there, before any deep recursion. */
  maxQueryTokens: number;
  /** Streams one graphql-ws connection may hold open at once (per replica: a connection lives on one). */
  maxStreamsPerConnection: number;
  /** The longest drain before a forced exit, counted from the drain's start (after shutdownDrainDelayMs). */
  shutdownGraceMs: number;
  /**
   * From the signal to the drain: /readyz answers 503 `stopping` while every other request is still served, so
   * the load balancer stops routing here before the listener closes. A second signal cuts it short.
   */
  shutdownDrainDelayMs: number;
  /** `_service { sdl }` without @authenticated/@requiresScopes, for @apollo/gateway; enforced regardless. */
  sdlWithoutSecurityDirectives: boolean;
}

export interface LoggingConfig {
  level: (typeof LOG_LEVELS)[number];
}

export type AuthKeySource =
  /** `development`: no AUTH_* outside production; the secret is DATA_DIR's random one (development-secret.ts). */
  | { kind: 'secret'; secret: string; development: boolean }
  | { kind: 'public-key'; pem: string }
  | { kind: 'jwks'; url: string };

export interface AuthConfig {
  key: AuthKeySource;
  issuer?: string;
  audience?: string;
  tenantClaim: string;
  algorithms?: string[];
  clockToleranceSeconds: number;
}

export interface StoreConfig {
  /** PostgreSQL; absent: PGlite in `dataDir` (`:memory:` for a throwaway database). */
  databaseUrl: string | undefined;
  dataDir: string;
  schema: string;
  appRole: string;
  poolSize: number;
  /** PostgreSQL: the longest opening a connection, or waiting for a pooled one, may take; absent: 10 s. */
  connectTimeoutMs?: number;
  /** PostgreSQL: the longest one statement waits for its answer (0: unbounded); absent: 2 min. */
  queryTimeoutMs?: number;
  /** PostgreSQL: repeated statements as named prepared statements (pg-database.ts); absent: true. */
  preparedStatements?: boolean;
  /** Mark the full-text match LEAKPROOF on PostgreSQL (always done on PGlite). */
  ftsLeakproof?: boolean;
  /** BM25 parameters of lexical search; absent: k1 1.2, b 0.75, title weight 2, 2,000 postings per term. */
  bm25?: Bm25Config;
  /** Semantic search over pgvector; absent: the defaults of DEFAULT_VECTOR_SEARCH (vector-search.ts). */
  vectors?: VectorSearchConfig;
  /**
   * PGlite in memory: a tarball of a freshly initialised PGlite data folder (PGlite's `dumpDataDir`) to start
   * from instead of running initdb, about 2.5 s of an in-memory open's 3. Set by code only, never by a variable:
   * the test suites open dozens of in-memory stores from one template made per run (test/support).
   */
  pgliteTemplate?: string;
}

export interface VectorSearchConfig {
  /**
   * A tenant with fewer embedded chunks than this is searched exactly (every one of its vectors compared),
   * which always finds its nearest chunks; a larger one through the HNSW index.
   */
  exactSearchBelowChunks: number;
  /** hnsw.ef_search: the candidate list of an index scan; larger finds more of the true neighbours, slower. */
  efSearch: number;
  /**
   * hnsw.max_scan_tuples: how far an iterative index scan may go looking for the tenant's own chunks among
   * other tenants' (row level security filters after the scan).
   */
  maxScanTuples: number;
  /** Dimensions the store keeps an HNSW index for (created at open); other dimensions are searched exactly. */
  indexDimensions: readonly number[];
}

export interface Bm25Config {
  k1: number;
  b: number;
  /** One title occurrence of a term counts as this many body occurrences (BM25F-style field weight). */
  titleWeight: number;
  /** The most postings read per query term, best first (a very common term's read stays bounded). */
  maxPostingsPerTerm: number;
}

export interface StateConfig {
  /** Redis; absent: process memory. */
  redisUrl: string | undefined;
}

export interface GatewayConfig {
  providers: ProvidersConfig;
  routes: RouteTable;
  prices: PriceTable;
  /** Per-token targets the routes use without a price (refused in production): the start log warns of them. */
  unpricedTargets: string[];
  /** Prompt version pins, e.g. `summarize=v1,answer=v2`. */
  promptVersions: string | undefined;
  /** Memory completion cache bound (LRU, estimated heap bytes), when there is no Redis; 0 disables. */
  cacheMaxBytes: number;
  /** Memory query-embedding cache bound (LRU, estimated heap bytes), when there is no Redis; 0 disables. */
  embedCacheMaxBytes: number;
  settings: GatewaySettings;
  /** The tenants' rate limits: the wait allowed on Redis, and the policy when it does not answer. */
  limits: RateGateSettings;
  /** The tenants' spend caps: the same wait and failure policy, and how long a reservation holds. */
  spend: SpendGateSettings;
}

export interface RetrievalConfig {
  /** Retrieval results remembered per tenant and corpus version, up to this estimated heap; 0 disables. */
  searchCacheMaxBytes: number;
  /** How long a remembered result may be served: the bound on staleness when an invalidation was lost. */
  searchCacheTtlMs: number;
  chunking: { maxChars: number; overlapChars: number };
  /** Reciprocal rank fusion's k: each list gives a chunk 1 / (k + rank). */
  rrfK: number;
  /** The least cosine similarity a semantic hit needs to ground an answer. */
  askMinSimilarity: number;
  /** The sweep embedding documents stored without vectors in the current model. */
  embeddingSweep: { intervalMs: number; documentsPerRun: number };
}

export interface JobsConfig {
  /** One run's time budget (the model's deadline inside it). */
  deadlineMs: number;
  /** A run silent this long past its deadline is taken back by the queue and retried (its replica died). */
  expiryMarginMs: number;
  /** Runs at once on this replica; 0: this replica queues jobs but runs none. */
  concurrency: number;
  /**
   * Past this share of the last window busy (the event loop), no new run starts until there is room again
   * (one always goes on); 1: never held back.
   */
  maxLoopUtilization: number;
  /** The same for PGlite's thread (a start's statement passes what waits there, not what runs). */
  maxDatabaseUtilization: number;
  /** How often an idle runner looks for work, and a subscription re-reads its job without a notification. */
  pollIntervalMs: number;
  retryLimit: number;
  retryDelaySeconds: number;
  maintenanceIntervalSeconds: number;
  /** A webhook notice's tries after the first, and the first retry's delay (doubled each try). */
  webhookRetryLimit: number;
  webhookRetryDelaySeconds: number;
  /** Longest text a summary job summarizes in one call; a longer one goes by parts (map-reduce). */
  summaryPartChars: number;
  /** Finished jobs older than this many days are deleted; 0: kept forever. */
  retentionDays: number;
  /** How often the retention runs, once across replicas. */
  retentionIntervalMs: number;
}

export interface FeaturesConfig {
  summaryDefaultWords: number;
  /** Event loop lag (smoothed, ms) past which new AI work is shed with RATE_LIMITED; 0: never shed. */
  loadShedEventLoopLagMs: number;
}

export interface TracingConfig {
  /** False under OTEL_SDK_DISABLED=true: no SDK at all, so no trace context is continued either. */
  enabled: boolean;
  /** Where spans go over OTLP/HTTP; null (no endpoint set): nothing is recorded or exported. */
  exporter: { url: string; protocol: 'http/protobuf' | 'http/json' } | null;
}

export interface StatusPageConfig {
  /** How often the status page's recorder snapshots the metrics (it keeps the latest 60). */
  snapshotIntervalMs: number;
}

export interface Config {
  /** NODE_ENV=production: auth must be configured, introspection is off. */
  production: boolean;
  server: ServerConfig;
  logging: LoggingConfig;
  auth: AuthConfig;
  /** The tenant policy document, resolved: `forTenant(id)` is the tenant's merged policy. */
  tenants: TenantPolicies;
  store: StoreConfig;
  state: StateConfig;
  gateway: GatewayConfig;
  retrieval: RetrievalConfig;
  features: FeaturesConfig;
  jobs: JobsConfig;
  tracing: TracingConfig;
  statusPage: StatusPageConfig;
}
