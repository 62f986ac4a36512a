// The shared limiter's bound (LIMITS_TIMEOUT_MS) under our own event loop's stall, on real Redis. bench:latency
// found requests at 200 in flight answered LIMITS_UNAVAILABLE with Redis healthy: its answer sat unread while
// our loop was saturated, the bound ran out, and the `closed` policy sent the request to its floor. A bound the
// loop's stall explains is now given again, so the check gets Redis's answer; a Redis that truly holds its
// answer (a stalled connection, the loop free) still fails the check at the bound, as before.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createRateGate } from '../../subgraph/limits/rate-gate';
import { createRedisRateLimiter } from '../../subgraph/limits/redis-rate-limiter';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import { createSpendGate } from '../../subgraph/limits/spend-gate';
import { createEventLoopLag } from '../../subgraph/observability/event-loop-lag';
import type { EventLoopLag } from '../../subgraph/observability/event-loop-lag';
import { createMetrics } from '../../subgraph/observability/metrics';
import { capturingLogger } from '../support/logs';
import { REDIS_URL, connectRedis, requireRedis } from '../support/services';
import { startStallingProxy } from '../support/stalling-proxy';
import type { StallingProxy } from '../support/stalling-proxy';

requireRedis();

const run = randomBytes(5).toString('hex');
const prefix = `ai:test-loop-stall-${run}`;
const TIMEOUT_MS = 50;

/**
 * Starts `work` and then holds the thread for `ms`, as a saturated loop's long turn would, in the loop's check
 * phase: the next turn starts with its timers, so the bound runs out before the poll phase can read Redis's
 * answer, whenever that answer came.
 */
function startThenStall<T>(work: () => Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    setImmediate(() => {
      work().then(resolve, reject);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    });
  });
}

describe("the limits' bound when our own event loop stalls (bench:latency's false LIMITS_UNAVAILABLE)", () => {
  let redis: Redis;
  let monitor: EventLoopLag;
  const deps = () => ({
    metrics: createMetrics({ defaultMetrics: false }),
    logger: capturingLogger('warn').logger,
    loopStalls: monitor,
  });

  beforeAll(async () => {
    redis = connectRedis();
    await redis.ping();
  });
  beforeEach(async () => {
    monitor = createEventLoopLag();
    monitor.start();
    await sleep(30);
  });
  afterEach(() => monitor.stop());
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('admits a rate check whose answer waited behind a stalled loop longer than the bound', async () => {
    const gate = createRateGate(
      createRedisRateLimiter(redis, `${prefix}:rate`),
      { timeoutMs: TIMEOUT_MS, onFailure: 'closed' },
      deps(),
    );
    const check = startThenStall(
      () => gate.check(`t-${run}`, { requestsPerMinute: 100 }, 10),
      TIMEOUT_MS * 3,
    );
    expect((await check).kind).toBe('admitted');
  });

  it('reserves spend whose answer waited behind a stalled loop longer than the bound', async () => {
    const gate = createSpendGate(
      createRedisSpendLimiter(redis, `${prefix}:spend`),
      { timeoutMs: TIMEOUT_MS, onFailure: 'closed', reservationTtlMs: 60_000 },
      deps(),
    );
    const reserve = startThenStall(
      () => gate.reserve(`t-${run}`, { dailyNanos: 1_000_000_000 }, 1_000),
      TIMEOUT_MS * 3,
    );
    expect((await reserve).kind).toBe('reserved');
  });

  describe('a Redis that holds its answer while the loop runs freely', () => {
    let proxy: StallingProxy;
    let client: Redis;
    beforeEach(async () => {
      const { hostname, port } = new URL(REDIS_URL);
      proxy = await startStallingProxy({ host: hostname, port: Number(port || 6379) });
      client = new Redis(`redis://127.0.0.1:${proxy.port}`, {
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on('error', () => undefined);
      await client.ping();
      proxy.stall();
    });
    afterEach(async () => {
      client.disconnect();
      await proxy.close();
    });

    it('still fails the check at the bound: the stall excuses only our own lag', async () => {
      const gate = createRateGate(
        createRedisRateLimiter(client, `${prefix}:rate`),
        { timeoutMs: TIMEOUT_MS, onFailure: 'closed' },
        deps(),
      );
      expect(await gate.check(`t-${run}`, { requestsPerMinute: 100 }, 10)).toEqual({ kind: 'unavailable' });
    });
  });
});
