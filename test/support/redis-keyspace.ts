// A suite's own corner of the shared test Redis: one client for the suite, and every key under `prefix`
// deleted when it ends (suites share the server and flush nothing). The client gives up instead of
// reconnecting, so a Redis gone away fails the suite rather than hanging it.
import type { Redis } from 'ioredis';
import { connectedRedis } from './services';

/** Connects before the suite's tests and hands the client to `use`; cleans `prefix:*` and quits after them. */
export function useRedisKeyspace(prefix: string, use: (redis: Redis) => void): void {
  let redis: Redis | undefined;
  beforeAll(async () => {
    redis = await connectedRedis();
    use(redis);
  });
  afterAll(async () => {
    if (!redis) return;
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
}
