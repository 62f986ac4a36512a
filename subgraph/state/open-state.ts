// Opens the shared-state adapters: Redis when REDIS_URL is set, process memory otherwise. Without Redis the
// usage ledger lives in the SQL store when one is given, so a restart keeps the month's spend. Redis being
// away at the start is no reason not to start: the replica serves as it does when Redis fails later (caches
// miss, limits follow LIMITS_ON_REDIS_FAILURE, /readyz says degraded) and connects once Redis answers; the
// log says so at the start (warn) and once connected (info).
import { Redis } from 'ioredis';
import { ConfigError } from '../errors/config-error';
import type { Logger } from '../observability/logger';
import { boundedVersionReads } from '../retrieval/search-cache';
import type { SqlDatabase } from '../retrieval/store/sql';
import { boundedUsageWrites } from './bounded-usage-writes';
import { createMemoryCorpusVersions } from './corpus-versions';
import type { CorpusVersions } from './corpus-versions';
import { createMemoryUsageLedger } from './memory-usage-ledger';
import { createRedisCorpusVersions } from './redis-corpus-versions';
import { createRedisStreamLeases } from './redis-stream-leases';
import { createRedisUsageLedger } from './redis-usage-ledger';
import { createSqlUsageLedger } from './sql-usage-ledger';
import type { SqlUsageTarget } from './sql-usage-ledger';
import { createMemoryStreamLeases } from './stream-leases';
import type { StreamLeases } from './stream-leases';
import type { UsageLedger } from './usage-ledger';

export interface SharedState {
  kind: 'redis' | 'memory';
  usage: UsageLedger;
  /** Where the usage ledger is kept: Redis, else the SQL store, else (tests, no store) process memory. */
  usageKind: 'redis' | 'sql' | 'memory';
  corpus: CorpusVersions;
  /** Each tenant's open streams, counted over every replica when Redis is configured. */
  streamLeases: StreamLeases;
  redis: Redis | null;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The SQL store the usage ledger falls back to without Redis. */
export interface UsageStore extends SqlUsageTarget {
  db: SqlDatabase;
}

export interface OpenStateOptions {
  /** Where a start with Redis away is told, and its later connect; silent without one. */
  logger?: Logger;
  /** The longest a search waits for its corpus version on Redis (CACHE_LOOKUP_TIMEOUT_MS); 200 ms unset. */
  versionReadWaitMs?: number;
}

export async function openState(
  redisUrl: string | undefined,
  keyPrefix = 'ai',
  usageStore?: UsageStore,
  options: OpenStateOptions = {},
): Promise<SharedState> {
  if (!redisUrl) {
    const usage = usageStore ? createSqlUsageLedger(usageStore.db, usageStore) : createMemoryUsageLedger();
    return {
      kind: 'memory',
      usage,
      usageKind: usageStore ? 'sql' : 'memory',
      corpus: createMemoryCorpusVersions(),
      streamLeases: createMemoryStreamLeases(),
      redis: null,
      ping: () => usage.ping(),
      close: () => usage.close(),
    };
  }
  const redis = await connectRedis(redisUrl, options.logger);
  // A request waits for its ledger write only briefly (bounded-usage-writes.ts): a hung Redis holds a command
  // for the whole command timeout.
  const usage = boundedUsageWrites(createRedisUsageLedger(redis, `${keyPrefix}:usage`));
  const streamLeases = createRedisStreamLeases(redis, `${keyPrefix}:streams`);
  return {
    kind: 'redis',
    usage,
    usageKind: 'redis',
    // A search waits for its corpus version only briefly (search-cache.ts): past it, the search cache misses.
    corpus: boundedVersionReads(
      createRedisCorpusVersions(redis, `${keyPrefix}:corpus`),
      options.versionReadWaitMs,
    ),
    streamLeases,
    redis,
    ping: async () => {
      await redis.ping();
    },
    close: async () => {
      streamLeases.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** The first connect's wait for an unreachable Redis: a refused connection fails at once, a blackholed one here. */
const CONNECT_TIMEOUT_MS = 2_000;

/**
 * A Redis client for `redisUrl`, connected when it could be within CONNECT_TIMEOUT_MS, else reconnecting in the
 * background (ioredis's backoff, at most 2 s between tries) while every command fails at once; `logger` is told
 * then (warn), and once it connects (info). A URL ioredis cannot parse is a configuration error (ConfigError),
 * not Redis being away: the start stops with one line.
 */
async function connectRedis(redisUrl: string, logger?: Logger): Promise<Redis> {
  // Fail fast rather than queue or wait: a request must degrade (a cache miss, a logged ledger gap), not hang,
  // when Redis is slow or away. Auto-pipelining sends the commands of one event-loop turn in one socket write:
  // under load each model call's cache read, rate check, reservation, settles and cache write would otherwise
  // cost a write syscall each (7 % of the subgraph's CPU on cache misses at 50 concurrent).
  let redis: Redis;
  try {
    redis = new Redis(redisUrl, {
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: 500,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
  } catch (error) {
    // The message only: the URL may carry a password.
    throw new ConfigError(
      `REDIS_URL is not a usable Redis URL (${error instanceof Error ? error.message : 'unparsable'})`,
    );
  }
  // Every failed try emits an error; what it means for requests is reported where they meet it, and the
  // readiness probe names the state as down.
  redis.on('error', () => undefined);
  // The first try's outcome only decides whether the replica starts connected: a failure leaves ioredis
  // retrying (its retryStrategy), and the Lua scripts are loaded lazily, on their first NOSCRIPT.
  // connect() rejects with "Connection is closed."; why is in the error the socket emitted before.
  const emitted: unknown[] = [];
  const note = (error: unknown) => emitted.push(error);
  redis.on('error', note);
  const failure = await redis.connect().then(
    () => null,
    (error: unknown) => error,
  );
  redis.off('error', note);
  if (failure !== null && logger) {
    // The error's code only (ECONNREFUSED, ETIMEDOUT): its message names the host, and the URL, which is not
    // logged, may carry a password.
    const code = [...emitted, failure].map(errorCode).find((found) => found !== null) ?? 'unknown';
    logger.warn({ code }, 'redis unreachable at start; connecting in the background');
    redis.once('ready', () => logger.info('redis connected; shared state available'));
  }
  return redis;
}

/** A system or Redis error's code, such as ECONNREFUSED; null for anything else. */
function errorCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : null;
}
