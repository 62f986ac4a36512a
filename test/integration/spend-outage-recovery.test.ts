// What a spend cap keeps across a Redis outage and its end, whatever the traffic does next: a settle Redis did
// not acknowledge is kept and sent again once Redis answers (counted once, even when the first one ran and only
// its answer was lost); reservations in flight when Redis comes back, or goes away, still count against the cap
// on the other side; and what an outage spent reaches Redis without waiting for the next capped reservation (a
// retry while something is pending, and a last try at close). Redis is real; its outage is a wrapper whose calls
// fail while it is switched off (as in spend-cap-starting-spend.test.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { createSpendGate } from '../../subgraph/limits/spend-gate';
import type { SpendGate } from '../../subgraph/limits/spend-gate';
import type { LimitsFailurePolicy } from '../../subgraph/limits/rate-gate';
import type { SharedSpendLimiter } from '../../subgraph/limits/spend-limiter';
import { createMetrics } from '../../subgraph/observability/metrics';
import { capturingLogger } from '../support/logs';
import { CAPS, OVER, reserved, switchable, USD, useSpendKeyspace } from '../support/spend-outage';
import { requireRedis } from '../support/services';

jest.setTimeout(30_000);
requireRedis();

const { tenant, limiter, redisMonth, redisMonthReaches } = useSpendKeyspace('spend-recovery');

const gates: SpendGate[] = [];
afterEach(async () => {
  await Promise.all(gates.splice(0).map((gate) => gate.close()));
});

function gateOver(shared: SharedSpendLimiter, onFailure: LimitsFailurePolicy, reservationTtlMs = 60_000) {
  const { logger, lines } = capturingLogger('warn');
  const gate = createSpendGate(
    shared,
    { timeoutMs: 500, onFailure, reservationTtlMs },
    { metrics: createMetrics({ defaultMetrics: false }), logger },
  );
  gates.push(gate);
  return { gate, lines };
}

describe.each(['closed', 'open'] as const)(
  'finding 1 (%s): a settle Redis did not acknowledge is kept',
  (policy) => {
    it('is written to Redis once it answers again, though the reservation lapsed meanwhile', async () => {
      const shared = switchable(limiter());
      const { gate } = gateOver(shared, policy, 1_000);
      const id = tenant();
      const settle = reserved(await gate.reserve(id, CAPS, 60 * USD));
      shared.down = true;
      settle(60 * USD);
      await sleep(1_300);
      // The reservation has lapsed in Redis: only the kept settle can count the $60 now.
      expect(await limiter().outstanding(id)).toBe(0);
      shared.down = false;
      await redisMonthReaches(id, 60 * USD);
      expect(await gate.reserve(id, CAPS, 41 * USD)).toEqual(OVER);
      reserved(await gate.reserve(id, CAPS, 40 * USD))(0);
      await sleep(1_500);
      expect(await redisMonth(id)).toBe(60 * USD);
    });

    it('counts once when the first settle ran in Redis and only its answer was lost', async () => {
      const shared = switchable(limiter());
      const { gate } = gateOver(shared, policy);
      const id = tenant();
      const settle = reserved(await gate.reserve(id, CAPS, 60 * USD));
      shared.loseSettleReply = true;
      settle(50 * USD);
      await redisMonthReaches(id, 50 * USD);
      // Sent again (at the retry, and before the next reservation): Redis already counted that ticket.
      await sleep(1_500);
      reserved(await gate.reserve(id, CAPS, USD))(0);
      expect(await redisMonth(id)).toBe(50 * USD);
      expect(await limiter().outstanding(id)).toBe(0);
    });
  },
);

describe('finding 2: reservations in flight across the end (or start) of an outage still count', () => {
  it('a reservation on the outage limiter, in flight when Redis comes back, leaves Redis only the rest of the cap', async () => {
    const shared = switchable(limiter());
    const { gate } = gateOver(shared, 'open');
    const id = tenant();
    shared.down = true;
    const settleAway = reserved(await gate.reserve(id, CAPS, 60 * USD));
    shared.down = false;
    expect(await gate.reserve(id, CAPS, 60 * USD)).toEqual(OVER);
    const settleBack = reserved(await gate.reserve(id, CAPS, 40 * USD));
    settleAway(60 * USD);
    settleBack(40 * USD);
    await redisMonthReaches(id, 100 * USD);
    expect(await gate.reserve(id, CAPS, 1)).toEqual(OVER);
    await sleep(1_200);
    expect(await redisMonth(id)).toBe(100 * USD);
  });

  it('and the next outage’s limiter counts it too (Redis flaps twice)', async () => {
    const shared = switchable(limiter());
    const { gate } = gateOver(shared, 'open');
    const id = tenant();
    shared.down = true;
    const settleFirst = reserved(await gate.reserve(id, CAPS, 60 * USD));
    shared.down = false;
    reserved(await gate.reserve(tenant(), CAPS, USD))(0);
    shared.down = true;
    expect(await gate.reserve(id, CAPS, 60 * USD)).toEqual(OVER);
    reserved(await gate.reserve(id, CAPS, 40 * USD))(40 * USD);
    settleFirst(60 * USD);
    expect(await gate.reserve(id, CAPS, 1)).toEqual(OVER);
    shared.down = false;
    await redisMonthReaches(id, 100 * USD);
  });

  it('a reservation on Redis, in flight when Redis goes away, leaves the outage limiter only the rest of the cap', async () => {
    const shared = switchable(limiter());
    const { gate } = gateOver(shared, 'open');
    const id = tenant();
    const settleShared = reserved(await gate.reserve(id, CAPS, 60 * USD));
    shared.down = true;
    expect(await gate.reserve(id, CAPS, 60 * USD)).toEqual(OVER);
    const settleAway = reserved(await gate.reserve(id, CAPS, 40 * USD));
    settleShared(55 * USD);
    settleAway(40 * USD);
    shared.down = false;
    await redisMonthReaches(id, 95 * USD);
    expect(await gate.reserve(id, CAPS, 6 * USD)).toEqual(OVER);
  });
});

describe('finding 3: an outage’s spend reaches Redis with no capped reservation after it', () => {
  it('is written back once Redis answers again, by a retry while something is pending', async () => {
    const shared = switchable(limiter());
    const { gate } = gateOver(shared, 'open');
    const id = tenant();
    shared.down = true;
    reserved(await gate.reserve(id, CAPS, 30 * USD))(30 * USD);
    await sleep(1_200);
    shared.down = false;
    await redisMonthReaches(id, 30 * USD);
  });

  it('close() makes a last write-back, and says what it could not send', async () => {
    const shared = switchable(limiter());
    const { gate } = gateOver(shared, 'open');
    const id = tenant();
    shared.down = true;
    reserved(await gate.reserve(id, CAPS, 20 * USD))(20 * USD);
    shared.down = false;
    await gate.close();
    expect(await redisMonth(id)).toBe(20 * USD);

    const away = switchable(limiter());
    const { gate: other, lines } = gateOver(away, 'open');
    const lost = tenant();
    away.down = true;
    reserved(await other.reserve(lost, CAPS, 7 * USD))(7 * USD);
    await other.close();
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ unsentNanos: 7 * USD, tenants: 1 }),
    );
    // Closed: no retry runs any more.
    away.down = false;
    await sleep(1_500);
    expect(await redisMonth(lost)).toBe(0);
  });
});
