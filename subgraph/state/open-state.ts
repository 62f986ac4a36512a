// Opens the shared-state adapters: Redis when REDIS_URL is set, process memory otherwise. Without Redis the
// usage ledger lives in the SQL store when one is given, so a restart keeps the month's spend.
import { Redis } from 'ioredis';
import type { SqlDatabase } from '../retrieval/store/sql';
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

export async function openState(
  redisUrl: string | undefined,
  keyPrefix = 'ai',
  usageStore?: UsageStore,
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
  // Fail fast rather than queue or wait: a request must degrade (a cache miss, a logged ledger gap), not hang,
  // when Redis is slow or away. Auto-pipelining sends the commands of one event-loop turn in one socket write:
  // under load each model call's cache read, rate check, reservation, settles and cache write would otherwise
  // cost a write syscall each (7 % of the subgraph's CPU on cache misses at 50 concurrent).
  const redis = new Redis(redisUrl, {
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 500,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    // A failed first connect leaves ioredis reconnecting in the background; stop it, or the process that
    // reports the failure (a test runner, a supervisor's health check) never exits.
    redis.disconnect();
    throw error;
  }
  const usage = createRedisUsageLedger(redis, `${keyPrefix}:usage`);
  const streamLeases = createRedisStreamLeases(redis, `${keyPrefix}:streams`);
  return {
    kind: 'redis',
    usage,
    usageKind: 'redis',
    corpus: createRedisCorpusVersions(redis, `${keyPrefix}:corpus`),
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
