// The process's own spend limiter while Redis is away and LIMITS_ON_REDIS_FAILURE=open (spend-gate.ts). It must
// neither refill the cap nor hide its spend from Redis, or one replica could spend a whole extra cap per outage
// and the others would never count it. So each outage's limiter starts a tenant from the best spend known here:
// what Redis last reported for the tenant (lastSpent) plus what Redis has not counted yet; and the spend an
// outage limiter settled is written back to Redis's counters, through a settle of no reservation (which adds
// the cost: money spent is spent), before Redis's next reservation here.
// Written back on a later UTC day, it counts in that day's spend too (on the safe side); a month that has
// ended is not written back, as no cap reads it any more.
import { randomUUID } from 'node:crypto';
import { createMemorySpendLimiter } from './memory-spend-limiter';
import { spendPeriods, wholeNanos } from './spend-limiter';
import type { SharedSpendLimiter, SpendLimiter } from './spend-limiter';

/** Spend Redis has not counted; `sending` while a write-back of it is on its way. */
interface Unsent {
  tenantId: string;
  day: string;
  month: string;
  nanos: number;
  sending?: Promise<void>;
}

export interface SpendFallback {
  /** This outage's limiter: a fresh one after each reservation Redis answered. */
  limiter(): SpendLimiter;
  /** Redis answered a reservation: the next failure starts a new outage, from what is known then. */
  recovered(): void;
  /**
   * Spend an outage limiter (`countedBy`) settled, which Redis has not counted. When that outage is over and
   * another has begun, the new outage's limiter counts it too.
   */
  unsent(tenantId: string, nanos: number, countedBy: SpendLimiter): void;
  /** Sends Redis the spend it has not counted (undefined: none); rejects when a write-back failed. */
  writeBack(): Promise<void> | undefined;
}

export function createSpendFallback(shared: SharedSpendLimiter, now = () => Date.now()): SpendFallback {
  const unsent: Unsent[] = [];
  let outage: { limiter: SpendLimiter; started: Set<string> } | undefined;

  const bestKnown = (tenantId: string, at: number) => {
    const { day, month } = spendPeriods(at);
    const last = shared.lastSpent(tenantId);
    let dayNanos = last?.day === day ? last.dayNanos : 0;
    let monthNanos = last?.month === month ? last.monthNanos : 0;
    for (const spend of unsent) {
      if (spend.tenantId !== tenantId) continue;
      if (spend.day === day) dayNanos += spend.nanos;
      if (spend.month === month) monthNanos += spend.nanos;
    }
    return { dayNanos, monthNanos };
  };

  const outageLimiter = () => {
    if (!outage) {
      const started = new Set<string>();
      // The seed runs once per tenant, at its first reservation of the outage: from then on, spend Redis has
      // not counted (an earlier outage's reservation settled late) reaches it by settle(), not by the seed.
      const limiter = createMemorySpendLimiter(now, (tenantId, at) => {
        started.add(tenantId);
        return Promise.resolve(bestKnown(tenantId, at.getTime()));
      });
      outage = { limiter, started };
    }
    return outage;
  };

  const send = (spend: Unsent): Promise<void> => {
    const drop = () => {
      const at = unsent.indexOf(spend);
      if (at >= 0) unsent.splice(at, 1);
    };
    if (spend.month !== spendPeriods(now()).month) return Promise.resolve(drop());
    return shared.settle(spend.tenantId, randomUUID(), spend.nanos).then(drop, (error: unknown) => {
      spend.sending = undefined;
      throw error;
    });
  };

  return {
    limiter: () => outageLimiter().limiter,

    recovered() {
      outage = undefined;
    },

    unsent(tenantId, nanos, countedBy) {
      const amount = wholeNanos(nanos);
      if (amount === 0) return;
      unsent.push({ tenantId, ...spendPeriods(now()), nanos: amount });
      if (outage && outage.limiter !== countedBy && outage.started.has(tenantId))
        void outage.limiter.settle(tenantId, randomUUID(), amount);
    },

    writeBack() {
      if (unsent.length === 0) return undefined;
      return Promise.all(unsent.map((spend) => (spend.sending ??= send(spend)))).then(() => undefined);
    },
  };
}
