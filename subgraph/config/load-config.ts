// Reads the environment once, through the one zod schema, into typed sections: a bad value stops the start
// with one line naming the variable and what it expects, instead of failing later mid-request. Its one write:
// outside production without AUTH_*, the development secret is created in DATA_DIR on first use.
import { ConfigError } from '../errors/config-error';
import { loadTenantPolicies } from '../tenancy/tenant-policies';
import { authSection } from './auth-section';
import { envSchema } from './env-schema';
import type { Env } from './env-schema';
import { gatewaySection } from './gateway-section';
import { misspeltVariable } from './misspelt-variables';
import { readJsonDocument } from './json-document';
import { tracingSection } from './tracing-section';
import type { Config } from './sections';

const MIB = 1024 * 1024;

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = parseEnv(source);
  const production = env.NODE_ENV === 'production';
  if (env.CHUNK_OVERLAP_CHARS * 2 >= env.CHUNK_MAX_CHARS) {
    throw new ConfigError('CHUNK_OVERLAP_CHARS expects less than half of CHUNK_MAX_CHARS');
  }
  const auth = authSection(env, production);
  const tenants = loadTenantPolicies(
    readJsonDocument(
      { variable: 'TENANT_POLICIES_FILE', value: env.TENANT_POLICIES_FILE },
      { variable: 'TENANT_POLICIES_JSON', value: env.TENANT_POLICIES_JSON },
    ),
  );
  return {
    production,
    server: {
      port: env.PORT,
      // A development server (its secret is on this machine, its tokens printed) is for this machine only.
      host: env.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
      maxRequestBytes: env.MAX_REQUEST_BYTES,
      maxQueryDepth: env.MAX_QUERY_DEPTH,
      maxQueryCost: env.MAX_QUERY_COST,
      maxQueryAliases: env.MAX_QUERY_ALIASES,
      maxAiFieldsPerOperation: env.MAX_AI_FIELDS_PER_OPERATION,
      maxEntityRepresentations: env.MAX_ENTITY_REPRESENTATIONS,
      documentCacheMaxBytes: env.DOCUMENT_CACHE_MAX_MB * MIB,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxQueryTokens: env.MAX_QUERY_TOKENS,
      maxStreamsPerConnection: env.WS_MAX_STREAMS_PER_CONNECTION,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
      // Kubernetes takes a few seconds to remove a terminating pod from its Service's endpoints; a development or
      // test process has no load balancer to wait for, and a Ctrl-C should stop it at once.
      shutdownDrainDelayMs: env.SHUTDOWN_DRAIN_DELAY_MS ?? (production ? 5_000 : 0),
      sdlWithoutSecurityDirectives: env.FEDERATION_SDL_WITHOUT_SECURITY_DIRECTIVES,
    },
    logging: { level: env.LOG_LEVEL },
    auth,
    tenants,
    store: {
      databaseUrl: env.DATABASE_URL,
      dataDir: env.DATA_DIR,
      schema: env.DATABASE_SCHEMA,
      appRole: env.DATABASE_APP_ROLE,
      poolSize: env.DATABASE_POOL_SIZE,
      connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: env.DATABASE_QUERY_TIMEOUT_MS,
      preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
      ftsLeakproof: env.DATABASE_FTS_LEAKPROOF,
      bm25: {
        k1: env.BM25_K1,
        b: env.BM25_B,
        titleWeight: env.BM25_TITLE_WEIGHT,
        maxPostingsPerTerm: env.BM25_MAX_POSTINGS_PER_TERM,
      },
      vectors: {
        exactSearchBelowChunks: env.VECTOR_EXACT_SEARCH_BELOW_CHUNKS,
        efSearch: env.HNSW_EF_SEARCH,
        maxScanTuples: env.HNSW_MAX_SCAN_TUPLES,
        indexDimensions: [...new Set(env.VECTOR_INDEX_DIMENSIONS)],
      },
    },
    state: { redisUrl: env.REDIS_URL },
    gateway: gatewaySection(env, production),
    retrieval: {
      searchCacheMaxBytes: env.SEARCH_CACHE_MAX_MB * MIB,
      searchCacheTtlMs: env.SEARCH_CACHE_TTL_SECONDS * 1000,
      chunking: { maxChars: env.CHUNK_MAX_CHARS, overlapChars: env.CHUNK_OVERLAP_CHARS },
      rrfK: env.RRF_K,
      askMinSimilarity: env.ASK_MIN_SIMILARITY,
      embeddingSweep: { intervalMs: env.EMBED_SWEEP_INTERVAL_MS, documentsPerRun: env.EMBED_SWEEP_DOCUMENTS },
    },
    features: {
      summaryDefaultWords: env.SUMMARY_DEFAULT_WORDS,
      loadShedEventLoopLagMs: env.LOAD_SHED_EVENT_LOOP_LAG_MS,
    },
    jobs: {
      deadlineMs: env.JOB_DEADLINE_MS,
      expiryMarginMs: env.JOB_EXPIRY_MARGIN_MS,
      concurrency: env.JOB_CONCURRENCY,
      maxLoopUtilization: env.JOB_MAX_LOOP_UTILIZATION,
      maxDatabaseUtilization: env.JOB_MAX_DATABASE_UTILIZATION,
      pollIntervalMs: env.JOB_POLL_INTERVAL_MS,
      retryLimit: env.JOB_RETRY_LIMIT,
      retryDelaySeconds: env.JOB_RETRY_DELAY_SECONDS,
      maintenanceIntervalSeconds: env.JOB_MAINTENANCE_INTERVAL_SECONDS,
      webhookRetryLimit: env.JOB_WEBHOOK_RETRY_LIMIT,
      webhookRetryDelaySeconds: env.JOB_WEBHOOK_RETRY_DELAY_SECONDS,
      summaryPartChars: env.JOB_SUMMARY_PART_CHARS,
      retentionDays: env.JOB_RETENTION_DAYS,
      retentionIntervalMs: env.JOB_RETENTION_INTERVAL_MS,
    },
    tracing: tracingSection(env),
    statusPage: { snapshotIntervalMs: env.STATUS_SNAPSHOT_INTERVAL_MS },
  };
}

/**
 * The variables that are set to something: a blank one (`PORT=`, or `${JOB_CONCURRENCY}` in a compose file with
 * nothing behind it) is absent, so it takes its default. Before, a blank number became 0 (`Number('') === 0`):
 * a replica that ran no jobs, listened on a random port or stopped with no grace, without a word.
 */
function presentVariables(source: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(source).filter(([, value]) => value?.trim() !== ''));
}

function parseEnv(environment: NodeJS.ProcessEnv): Env {
  const source = presentVariables(environment);
  const parsed = envSchema.safeParse(source);
  if (parsed.success) {
    const known = new Set(Object.keys(envSchema.shape));
    for (const name of Object.keys(source)) {
      const meant = misspeltVariable(name, known);
      if (meant)
        throw new ConfigError(`${name} is not a variable this subgraph reads: did you mean ${meant}?`);
    }
    return parsed.data;
  }
  const issue = parsed.error.issues[0];
  // The variable itself: a list's element (AUTH_ALGORITHMS.1) is not a name an operator can set.
  const variable = issue?.path[0] === undefined ? 'environment' : String(issue.path[0]);
  const given = issue ? source[String(issue.path[0])] : undefined;
  const shown =
    given === undefined || /SECRET|KEY|PASSWORD|TOKEN|URL|ENDPOINT/i.test(variable)
      ? ''
      : ` (got "${given}")`;
  throw new ConfigError(`${variable} ${issue?.message ?? 'is invalid'}${shown}`);
}
