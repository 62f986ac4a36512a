// Every environment variable the subgraph reads, in one zod schema. Only the config folder (and the provider
// registry, which declares its providers' variables) knows these names; the rest of the code receives typed
// sections (see sections.ts).
import { z } from 'zod';
import { providerEnvShape } from '../gateway/providers/registry';
import {
  connectionUrl,
  decimal,
  integer,
  integerList,
  optionalInteger,
  optionalString,
  optionalUrl,
  retired,
  sqlIdentifier,
} from './env-values';
import { tracingEnvShape } from './tracing-section';

export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'], { message: 'expects development, test or production' })
    .default('development'),
  PORT: integer(4001, 0, 65535),
  // Unset: 0.0.0.0 in production, 127.0.0.1 otherwise (see load-config.ts).
  HOST: optionalString,
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { message: 'expects fatal, error, warn, info, debug, trace or silent' })
    .default('info'),

  AUTH_JWT_SECRET: optionalString.pipe(
    z.string().min(32, { message: 'expects at least 32 characters (HS256 secret)' }).optional(),
  ),
  AUTH_PUBLIC_KEY: optionalString.pipe(
    z
      .string()
      .includes('-----BEGIN PUBLIC KEY-----', {
        message: 'expects a PEM public key (-----BEGIN PUBLIC KEY-----)',
      })
      .optional(),
  ),
  AUTH_JWKS_URL: optionalUrl,
  AUTH_ISSUER: optionalString,
  AUTH_AUDIENCE: optionalString,
  AUTH_TENANT_CLAIM: z.string().min(1).default('tenant_id'),
  AUTH_ALGORITHMS: optionalString.pipe(
    z
      .string()
      .transform((value) => value.split(',').map((part) => part.trim()))
      .pipe(
        z.array(
          z.enum(JWT_ALGORITHMS, {
            message: `expects a comma-separated list of ${JWT_ALGORITHMS.join(', ')}`,
          }),
        ),
      )
      .optional(),
  ),
  AUTH_CLOCK_TOLERANCE_SECONDS: integer(5, 0, 30),
  TENANT_POLICIES_FILE: optionalString,
  TENANT_POLICIES_JSON: optionalString,

  DATABASE_URL: optionalString.pipe(
    connectionUrl(['postgres', 'postgresql'], 'expects a postgres:// or postgresql:// URL'),
  ),
  DATABASE_SCHEMA: sqlIdentifier('ai'),
  DATABASE_APP_ROLE: sqlIdentifier('ai_subgraph_app'),
  DATABASE_POOL_SIZE: integer(10, 1, 200),
  // PostgreSQL's failures that answer nothing (a blackholed host after a failover, a stalled proxy): how long
  // opening a connection, or waiting for a pooled one, may take; and how long one statement may wait for its
  // answer before its connection is dropped (0: no bound). Migrations and index builds are not bounded.
  DATABASE_CONNECT_TIMEOUT_MS: integer(10_000, 100, 600_000),
  DATABASE_QUERY_TIMEOUT_MS: integer(120_000, 0, 86_400_000),
  // Repeated statements sent as named prepared statements on PostgreSQL (parsed and planned once per
  // connection); false behind a pooler that cannot carry them (PgBouncer in transaction mode before 1.21).
  DATABASE_PREPARED_STATEMENTS: z
    .enum(['true', 'false'], { message: 'expects true or false' })
    .default('true')
    .transform((value) => value === 'true'),
  DATABASE_FTS_LEAKPROOF: z
    .enum(['true', 'false'], { message: 'expects true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  // BM25 ranking of search: term-frequency saturation, length normalisation, and how many body occurrences
  // one occurrence of a term in the document's title counts for.
  BM25_K1: decimal(1.2, 0, 10),
  BM25_B: decimal(0.75, 0, 1),
  BM25_TITLE_WEIGHT: decimal(2, 0, 100),
  BM25_MAX_POSTINGS_PER_TERM: integer(2000, 10, 1_000_000),
  // Semantic search (pgvector): below this many chunks a tenant is searched exactly; above it through the
  // HNSW index, scanned iteratively (bounded) until the tenant's own nearest chunks are found.
  VECTOR_EXACT_SEARCH_BELOW_CHUNKS: integer(5_000, 0, 1_000_000),
  HNSW_EF_SEARCH: integer(100, 1, 1_000),
  HNSW_MAX_SCAN_TUPLES: integer(20_000, 1, 10_000_000),
  // The embedding dimensions an HNSW index is built for (pgvector indexes vectors of up to 2,000).
  VECTOR_INDEX_DIMENSIONS: integerList('1536', 1, 2_000),
  DATA_DIR: z.string().min(1).default('./.data'),
  REDIS_URL: optionalString.pipe(connectionUrl(['redis', 'rediss'], 'expects a redis:// or rediss:// URL')),

  // OPENAI_*, ANTHROPIC_*, SELFHOSTED_*: each provider's entry in the registry declares its own.
  ...providerEnvShape,
  GATEWAY_ROUTES_FILE: optionalString,
  GATEWAY_ROUTES_JSON: optionalString,
  MODEL_PRICES_JSON: optionalString,
  PROMPT_VERSIONS: optionalString,
  DEADLINE_MS: integer(8_000, 100, 120_000),
  ATTEMPT_TIMEOUT_MS: integer(5_000, 50, 120_000),
  STREAM_MAX_MS: integer(120_000, 1_000, 600_000),
  // Hedged requests: the delay while a target has too few latency samples, and the floor under its p95.
  HEDGE_DEFAULT_AFTER_MS: integer(400, 10, 120_000),
  HEDGE_MIN_AFTER_MS: integer(100, 10, 120_000),
  RETRY_MAX_ATTEMPTS: integer(2, 1, 10),
  RETRY_BASE_DELAY_MS: integer(100, 1, 10_000),
  RETRY_MAX_DELAY_MS: integer(2_000, 1, 60_000),
  CIRCUIT_CONSECUTIVE_FAILURES: integer(5, 1, 1_000),
  CIRCUIT_FAILURE_RATE: z.coerce
    .number({ message: 'expects a number between 0.01 and 1' })
    .min(0.01, { message: 'expects a number between 0.01 and 1' })
    .max(1, { message: 'expects a number between 0.01 and 1' })
    .default(0.5),
  CIRCUIT_RATE_WINDOW: integer(20, 2, 10_000),
  CIRCUIT_COOLDOWN_MS: integer(30_000, 10, 3_600_000),
  SMALL_MODEL_MAX_INPUT_CHARS: integer(4_000, 0, 10_000_000),
  CACHE_TTL_SUMMARIZE_SECONDS: integer(86_400, 0, 30 * 86_400),
  CACHE_TTL_ANSWER_SECONDS: integer(3_600, 0, 30 * 86_400),
  CACHE_STALE_GRACE_SECONDS: integer(86_400, 0, 30 * 86_400),
  // The longest a completion-cache read (or write) holds a request; a read past it is a miss.
  CACHE_LOOKUP_TIMEOUT_MS: integer(200, 1, 10_000),
  CACHE_MAX_MB: integer(64, 0, 65_536),
  SEARCH_CACHE_MAX_MB: integer(32, 0, 65_536),
  SEARCH_CACHE_TTL_SECONDS: integer(300, 1, 86_400),
  DOCUMENT_CACHE_MAX_MB: integer(16, 0, 4_096),
  // Longer than any router's or load balancer's idle pool (Apollo Router 5 s, AWS ALB 60 s): the client must be
  // the one to close an idle connection, or it may reuse one in the instant the server closes it (ECONNRESET).
  HTTP_KEEP_ALIVE_TIMEOUT_MS: integer(65_000, 1_000, 600_000),
  // Embeddings: texts per provider request (OpenAI takes at most 2,048 inputs), and the query-vector cache.
  EMBED_BATCH_SIZE: integer(96, 1, 2_048),
  EMBED_CACHE_TTL_MS: integer(86_400_000, 0, 30 * 86_400_000),
  EMBED_CACHE_MAX_MB: integer(16, 0, 65_536),
  // Bounds by count let a few large entries hold far more memory than the number suggests.
  CACHE_MAX_ENTRIES: retired(
    'the memory completion cache is bounded by bytes, set CACHE_MAX_MB (0 disables)',
  ),
  SEARCH_CACHE_ENTRIES: retired('the search cache is bounded by bytes, set SEARCH_CACHE_MAX_MB (0 disables)'),
  // Room for an ingest at its limits in any script: a 1,000,000-character body and a 500-character title are at
  // most 3 bytes of UTF-8 a character (3,001,500 bytes), with the operation and JSON around them.
  MAX_REQUEST_BYTES: integer(3_100_000, 1_000, 50_000_000),
  MAX_QUERY_DEPTH: integer(10, 2, 50),
  MAX_QUERY_COST: integer(5_000, 10, 1_000_000),
  MAX_QUERY_ALIASES: integer(10, 0, 1_000),
  MAX_AI_FIELDS_PER_OPERATION: integer(20, 1, 10_000),
  // The hard ceiling on one `_entities` list: past it each item is null, under one error (a router cannot split
  // its list; entity-representations.ts). The AI work of those before it is MAX_AI_FIELDS_PER_OPERATION's.
  MAX_ENTITY_REPRESENTATIONS: integer(1_000, 1, 100_000),
  // graphql-js parses recursively: at most 3,000 tokens keeps the deepest nesting they can spell in the stack.
  MAX_QUERY_TOKENS: integer(2_000, 100, 3_000),
  WS_MAX_STREAMS_PER_CONNECTION: integer(100, 1, 10_000),
  // Tenant rate limits (limits.requestsPerMinute / tokensPerMinute): how long a check may wait on Redis, and
  // what a request gets when Redis is down or slower than that (closed: the floor; open: a per-process limit).
  LIMITS_TIMEOUT_MS: integer(250, 1, 10_000),
  LIMITS_ON_REDIS_FAILURE: z
    .enum(['closed', 'open'], { message: 'expects closed or open' })
    .default('closed'),
  // Spend caps (limits.monthlyCapUsd / dailyCapUsd): how long a call's reservation holds if its process dies
  // before settling it. 0: the longest a call can run (DEADLINE_MS, STREAM_MAX_MS, JOB_DEADLINE_MS, a route
  // deadline) + 30 s.
  SPEND_RESERVATION_TTL_MS: integer(0, 0, 3_600_000),
  CHUNK_MAX_CHARS: integer(1_200, 200, 20_000),
  CHUNK_OVERLAP_CHARS: integer(200, 0, 5_000),
  // Hybrid ranking: reciprocal rank fusion's k (larger flattens the weight of the first ranks).
  RRF_K: integer(60, 1, 10_000),
  // ask grounds only on semantic neighbours at least this close (cosine similarity) to the question.
  ASK_MIN_SIMILARITY: decimal(0.3, -1, 1),
  // The background embedding of documents stored without vectors (or in an older model): how often, how many.
  EMBED_SWEEP_INTERVAL_MS: integer(30_000, 0, 86_400_000),
  EMBED_SWEEP_DOCUMENTS: integer(20, 1, 10_000),
  SUMMARY_DEFAULT_WORDS: integer(120, 10, 1_000),
  // Background AI jobs (startSummaryJob, startAskJob): one run's time budget; how long past it a silent run is
  // taken back by the queue (its replica died); runs at once on this replica (0: it runs none, it only
  // queues); how often an idle replica looks for work and a subscription re-reads its job; tries after the
  // first, and the first retry's delay (doubled each try); how often the queue looks for expired runs.
  JOB_DEADLINE_MS: integer(120_000, 1_000, 3_600_000),
  JOB_EXPIRY_MARGIN_MS: integer(30_000, 1_000, 3_600_000),
  JOB_CONCURRENCY: integer(4, 0, 256),
  JOB_POLL_INTERVAL_MS: integer(1_000, 10, 60_000),
  JOB_RETRY_LIMIT: integer(2, 0, 20),
  JOB_RETRY_DELAY_SECONDS: integer(5, 1, 3_600),
  JOB_MAINTENANCE_INTERVAL_SECONDS: integer(15, 1, 3_600),
  // Background work gives way to callers: past this share of the last 100 ms busy (this process's event
  // loop), the runner starts no new job until the loop has room again; one run always goes on.
  // 1: the runner fills JOB_CONCURRENCY whatever the load. Why 0.7: README, "Background jobs".
  JOB_MAX_LOOP_UTILIZATION: decimal(0.7, 0.1, 1),
  // The same for PGlite's thread: higher, because a start's statement goes ahead of what waits there and
  // only waits for the statement running.
  JOB_MAX_DATABASE_UTILIZATION: decimal(0.85, 0.1, 1),
  // A finished job's webhook notice (tenant policy jobs.webhookUrl): tries after the first, and the first
  // retry's delay (doubled each try, jittered; 0: retried at once, for tests).
  JOB_WEBHOOK_RETRY_LIMIT: integer(8, 0, 20),
  JOB_WEBHOOK_RETRY_DELAY_SECONDS: integer(2, 0, 3_600),
  // A summary job's text longer than this is summarized by parts of at most this size, then the parts'
  // summaries together (map-reduce).
  JOB_SUMMARY_PART_CHARS: integer(16_000, 500, 100_000),
  // Finished jobs (completed, failed, cancelled) older than this many days are deleted, with their results
  // (0: kept forever); checked once per JOB_RETENTION_INTERVAL_MS across all replicas.
  JOB_RETENTION_DAYS: integer(30, 0, 3_650),
  JOB_RETENTION_INTERVAL_MS: integer(3_600_000, 1_000, 86_400_000),
  // Past this much event loop lag (smoothed, ms) new AI work is refused RATE_LIMITED rather than queued into
  // timeouts (a share growing to all at twice it); 0 turns shedding off. Why 500: README, "No false outages under local load".
  LOAD_SHED_EVENT_LOOP_LAG_MS: integer(500, 0, 60_000),
  // The status page (GET /status) charts the last 60 snapshots of the metrics, one taken every this often.
  STATUS_SNAPSHOT_INTERVAL_MS: integer(60_000, 100, 3_600_000),
  // At least 1 s: at 0, main.ts's forced exit fired at the signal ("drain exceeded"), before any drain.
  SHUTDOWN_GRACE_MS: integer(10_000, 1_000, 120_000),
  // After the signal, before the drain (and before SHUTDOWN_GRACE_MS starts): /readyz answers 503 `stopping`
  // while everything else is served, so the load balancer stops routing here before the listener closes.
  // Unset: 5000 in production, 0 otherwise (see load-config.ts).
  SHUTDOWN_DRAIN_DELAY_MS: optionalInteger(0, 60_000),
  FEDERATION_SDL_WITHOUT_SECURITY_DIRECTIVES: z
    .enum(['true', 'false'], { message: 'expects true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  // OTEL_SDK_DISABLED and where spans are exported (tracing-section.ts); the SDK reads the other OTEL_* itself.
  ...tracingEnvShape,
});

export type Env = z.infer<typeof envSchema>;
