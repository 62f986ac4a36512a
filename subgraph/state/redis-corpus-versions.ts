// Corpus versions in Redis, so that an ingest on one replica invalidates what every replica cached. A missing
// key (never set, or lost with Redis's data) gets a fresh token, set only if still missing so that every replica
// agrees on it; it can never equal a token some replica cached results under before.
import type { Redis } from 'ioredis';
import { freshCorpusToken } from './corpus-versions';
import type { CorpusVersions } from './corpus-versions';

export function createRedisCorpusVersions(redis: Redis, prefix = 'ai:corpus'): CorpusVersions {
  const key = (tenantId: string) => `${prefix}:{${tenantId}}`;
  return {
    async current(tenantId) {
      const token = await redis.get(key(tenantId));
      if (token !== null) return token;
      const fresh = freshCorpusToken();
      // SET NX GET (Redis 7): the token another replica set first, or null when ours was set.
      const raced = await redis.set(key(tenantId), fresh, 'NX', 'GET');
      return raced ?? fresh;
    },
    async bump(tenantId) {
      await redis.set(key(tenantId), freshCorpusToken());
    },
  };
}
