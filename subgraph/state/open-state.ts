// Opens the shared-state adapters: Redis when REDIS_URL is set, process memory otherwise.
import { Redis } from 'ioredis';
import { createMemoryCorpusVersions } from './corpus-versions';
import type { CorpusVersions } from './corpus-versions';
import { createMemoryUsageLedger } from './memory-usage-ledger';
import { createRedisCorpusVersions } from './redis-corpus-versions';
import { createRedisStreamLeases } from './redis-stream-leases';
import { createRedisUsageLedger } from './redis-usage-ledger';
import { createMemoryStreamLeases } from './stream-leases';
import type { StreamLeases } from './stream-leases';
import type { UsageLedger } from './usage-ledger';

export interface SharedState {
  kind: 'redis' | 'memory';
  usage: UsageLedger;
  corpus: CorpusVersions;
  /** Each tenant's open streams, counted over every replica when Redis is configured. */
  streamLeases: StreamLeases;
  redis: Redis | null;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openState(redisUrl: string | undefined, keyPrefix = 'ai'): Promise<SharedState> {
  if (!redisUrl) {
    const usage = createMemoryUsageLedger();
    return {
      kind: 'memory',
      usage,
      corpus: createMemoryCorpusVersions(),
      streamLeases: createMemoryStreamLeases(),
      redis: null,
      ping: () => usage.ping(),
      close: () => usage.close(),
    };
  }
  // Fail fast rather than queue or wait: a request must degrade (a cache miss, a logged ledger gap), not hang,
  // when Redis is slow or away.
  const redis = new Redis(redisUrl, {
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
