// The two corpus-version backends a suite runs against: process memory, and Redis under a key prefix of the
// suite's own (removed on close, so runs leave nothing behind on the shared server).
import { randomBytes } from 'node:crypto';
import { createMemoryCorpusVersions } from '../../subgraph/state/corpus-versions';
import type { CorpusVersions } from '../../subgraph/state/corpus-versions';
import { createRedisCorpusVersions } from '../../subgraph/state/redis-corpus-versions';
import { connectRedis } from './services';

export interface TestCorpusVersions {
  versions: CorpusVersions;
  /** Drops a tenant's version as a Redis that lost its data would (memory has nothing to lose). */
  lose?: (tenantId: string) => Promise<void>;
  close: () => Promise<void>;
}

export const CORPUS_VERSION_BACKENDS: [string, () => TestCorpusVersions][] = [
  ['memory', () => ({ versions: createMemoryCorpusVersions(), close: async () => undefined })],
  [
    'redis',
    () => {
      const redis = connectRedis();
      const prefix = `test:corpus:${randomBytes(4).toString('hex')}`;
      return {
        versions: createRedisCorpusVersions(redis, prefix),
        lose: async (tenantId) => void (await redis.del(`${prefix}:{${tenantId}}`)),
        close: async () => {
          const keys = await redis.keys(`${prefix}:*`);
          if (keys.length) await redis.del(...keys);
          await redis.quit();
        },
      };
    },
  ],
];
