// The stream lease contract, held by both adapters (process memory and Redis): a tenant holds at most its
// limit of leases, a release gives one back (once, however often it is called), and tenants never share
// slots. The Redis adapter, shared by replicas, also never leaks a slot: the leases of a replica that died
// (stopped refreshing) expire one TTL later, while a live replica's outlast many TTLs; and when Redis loses
// its data, the next refresh writes the live leases back, so the limit holds again.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { REDIS_URL as SERVICE_REDIS_URL, requireRedis } from '../support/services';
import { createRedisStreamLeases } from '../../subgraph/state/redis-stream-leases';
import { createMemoryStreamLeases } from '../../subgraph/state/stream-leases';
import type { StreamLease, StreamLeases } from '../../subgraph/state/stream-leases';

// Its own database: the data-loss case flushes it, and nothing else uses it.
// A database index of this suite's own: its FLUSHDB touches nothing else.
const REDIS_URL = new URL('/9', SERVICE_REDIS_URL).href;
requireRedis();
const run = randomBytes(5).toString('hex');
const prefix = `ai:test-streams-${run}`;
/** Short, so expiry shows within a test; the refresh runs every third of it. */
const TTL_MS = 1_500;
let redis: Redis;
const created: StreamLeases[] = [];

beforeAll(async () => {
  // No retries: a missing Redis fails this file loudly instead of hanging it.
  redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await redis.connect();
});

afterEach(() => created.splice(0).forEach((leases) => leases.close()));

afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const redisLeases = (): StreamLeases => {
  const leases = createRedisStreamLeases(redis, prefix, TTL_MS);
  created.push(leases);
  return leases;
};

let n = 0;
/** A fresh tenant per test, so no test sees another's leases. */
const tenant = () => `tenant-${run}-${(n += 1)}`;

async function acquireAll(leases: StreamLeases, tenantId: string, limit: number, count: number) {
  const taken: (StreamLease | null)[] = [];
  for (let i = 0; i < count; i++) taken.push(await leases.acquire(tenantId, limit));
  return taken;
}

describe.each([
  ['memory', createMemoryStreamLeases],
  ['redis', redisLeases],
] as const)('stream lease contract: %s', (_name, create) => {
  it('grants up to the limit and refuses beyond it', async () => {
    const leases = create();
    const taken = await acquireAll(leases, tenant(), 3, 5);
    expect(taken.map((lease) => lease !== null)).toEqual([true, true, true, false, false]);
  });

  it('a release gives one slot back, and a second release of the same lease gives nothing more', async () => {
    const leases = create();
    const id = tenant();
    const [first] = await acquireAll(leases, id, 2, 2);
    await first!.release();
    await first!.release();
    expect((await acquireAll(leases, id, 2, 2)).map((lease) => lease !== null)).toEqual([true, false]);
  });

  it("counts each tenant apart: one tenant's full slots do not hold back another", async () => {
    const leases = create();
    const full = tenant();
    await acquireAll(leases, full, 1, 1);
    expect(await leases.acquire(full, 1)).toBeNull();
    expect(await leases.acquire(tenant(), 1)).not.toBeNull();
  });

  it('applies the limit given with each call (a policy raised or lowered while streams run)', async () => {
    const leases = create();
    const id = tenant();
    await acquireAll(leases, id, 2, 2);
    expect(await leases.acquire(id, 2)).toBeNull();
    expect(await leases.acquire(id, 3)).not.toBeNull();
    expect(await leases.acquire(id, 1)).toBeNull();
  });
});

describe('stream leases in Redis, shared by replicas', () => {
  it('counts the leases of every replica against one limit', async () => {
    const [a, b] = [redisLeases(), redisLeases()];
    const id = tenant();
    expect(await a.acquire(id, 2)).not.toBeNull();
    expect(await b.acquire(id, 2)).not.toBeNull();
    expect(await a.acquire(id, 2)).toBeNull();
    expect(await b.acquire(id, 2)).toBeNull();
  });

  it('frees the slots of a replica that died one TTL later, and keeps a live replica’s for many TTLs', async () => {
    const [dead, live] = [redisLeases(), redisLeases()];
    const id = tenant();
    await acquireAll(dead, id, 3, 2);
    expect(await live.acquire(id, 3)).not.toBeNull();
    // The replica dies: it stops refreshing, and never releases.
    dead.close();
    expect(await live.acquire(id, 3)).toBeNull();
    await sleep(TTL_MS * 2.5);
    // The dead replica's two slots are back; the live one's lease, refreshed all along, still counts.
    const after = await acquireAll(live, id, 3, 3);
    expect(after.map((lease) => lease !== null)).toEqual([true, true, false]);
  });

  it('writes the live leases back after Redis loses its data, so the limit holds again', async () => {
    const leases = redisLeases();
    const id = tenant();
    await acquireAll(leases, id, 2, 2);
    await redis.flushdb();
    expect(await redis.zcard(`${prefix}:{${id}}`)).toBe(0);
    // Within one refresh (a third of the TTL) the held leases are in Redis again.
    const until = Date.now() + TTL_MS;
    while ((await redis.zcard(`${prefix}:{${id}}`)) < 2 && Date.now() < until) await sleep(20);
    expect(await redis.zcard(`${prefix}:{${id}}`)).toBe(2);
    expect(await leases.acquire(id, 2)).toBeNull();
  });

  it('does not write back a lease released before the refresh', async () => {
    const leases = redisLeases();
    const id = tenant();
    const [first] = await acquireAll(leases, id, 2, 2);
    await first!.release();
    await sleep(TTL_MS);
    expect(await redis.zcard(`${prefix}:{${id}}`)).toBe(1);
  });
});
