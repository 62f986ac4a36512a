// Corpus versions in Redis, so that an ingest on one replica invalidates what every replica cached.
import type { Redis } from 'ioredis';
import type { CorpusVersions } from './corpus-versions';

export function createRedisCorpusVersions(redis: Redis, prefix = 'ai:corpus'): CorpusVersions {
  const key = (tenantId: string) => `${prefix}:{${tenantId}}`;
  return {
    async current(tenantId) {
      return Number((await redis.get(key(tenantId))) ?? 0);
    },
    async bump(tenantId) {
      await redis.incr(key(tenantId));
    },
  };
}
