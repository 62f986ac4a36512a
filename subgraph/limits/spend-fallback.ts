// The process's own spend limiter while Redis is away and LIMITS_ON_REDIS_FAILURE=open (spend-gate.ts). It must
// neither refill the cap nor hide its spend from Redis, or one replica could spend a whole extra cap per outage
// and the others would never count it. So each outage's limiter starts a tenant from the best spend known here:
// what Redis last reported for the tenant (lastSpent) plus what Redis has not counted yet; and the spend an
// outage limiter settled is written back to Redis's counters, through a settle of no reservation (which adds
// the cost: money spent is spent), before Redis's next reservation here.
// Written back on a later UTC day, it counts in that day's spend too (on the safe side); a month that has
// ended is not written back, as no cap reads it any more.
// The spend waiting is one sum per tenant and day, however many settles made it, and one write-back at a time
// sends it, one sum first: while Redis is away that one fails, alone, instead of the whole backlog at every
// reservation. A sum once sent keeps its ticket and amount until Redis acknowledges it, and Redis counts a ticket
// once (redis-spend-limiter.ts): a write-back that ran but whose answer was lost adds nothing when sent again.
import { randomUUID } from 'node:crypto';
import { createMemorySpendLimiter } from './memory-spend-limiter';
import { spendPeriods, wholeNanos } from './spend-limiter';
import type { SharedSpendLimiter, SpendLimiter } from './spend-limiter';

/** A tenant's spend of one UTC day that Redis has not counted. */
interface Unsent {
  tenantId: string;
  day: string;
  month: string;
  nanos: number;
  /** The part of `nanos` sent under `ticket` and not acknowledged: sent again as it is, never re-summed. */
  sent?: { ticket: string; nanos: number };
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
  /**
   * Sends Redis the spend it has not counted (undefined: none), joining the write-back on its way if there is
   * one; resolves once all of it is counted, rejects when a write-back failed.
   */
  writeBack(): Promise<void> | undefined;
}

export function createSpendFallback(shared: SharedSpendLimiter, now = () => Date.now()): SpendFallback {
  /** Per tenant, per day. */
  const unsent = new Map<string, Map<string, Unsent>>();
  let outage: { limiter: SpendLimiter; started: Set<string> } | undefined;
  let writing: Promise<void> | undefined;

  const bestKnown = (tenantId: string, at: number) => {
    const { day, month } = spendPeriods(at);
    const last = shared.lastSpent(tenantId);
    let dayNanos = last?.day === day ? last.dayNanos : 0;
    let monthNanos = last?.month === month ? last.monthNanos : 0;
    for (const spend of unsent.get(tenantId)?.values() ?? []) {
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

  const forget = (spend: Unsent) => {
    const days = unsent.get(spend.tenantId);
    days?.delete(spend.day);
    if (days?.size === 0) unsent.delete(spend.tenantId);
  };

  /** What is left to send, less the months that have ended. */
  const backlog = (): Unsent[] => {
    const { month } = spendPeriods(now());
    const due: Unsent[] = [];
    for (const days of unsent.values()) {
      for (const spend of days.values()) {
        if (spend.month === month) due.push(spend);
        else forget(spend);
      }
    }
    return due;
  };

  const send = async (spend: Unsent): Promise<void> => {
    spend.sent ??= { ticket: randomUUID(), nanos: spend.nanos };
    await shared.settle(spend.tenantId, spend.sent.ticket, spend.sent.nanos);
    // Spend settled meanwhile stays, for a write-back of its own.
    spend.nanos -= spend.sent.nanos;
    spend.sent = undefined;
    if (spend.nanos === 0) forget(spend);
  };

  const sendAll = async () => {
    // Until none is left: spend settled while a write-back was on its way is Redis's to count before it reserves.
    for (let [first, ...rest] = backlog(); first; [first, ...rest] = backlog()) {
      await send(first);
      const sends = rest.map(send);
      // Every send ends before the write-back does (then fails with the first error), so no sum is ever on its
      // way twice.
      await Promise.allSettled(sends);
      await Promise.all(sends);
    }
  };

  return {
    limiter: () => outageLimiter().limiter,

    recovered() {
      outage = undefined;
    },

    unsent(tenantId, nanos, countedBy) {
      const amount = wholeNanos(nanos);
      if (amount === 0) return;
      const periods = spendPeriods(now());
      let days = unsent.get(tenantId);
      if (!days) unsent.set(tenantId, (days = new Map<string, Unsent>()));
      const spend = days.get(periods.day);
      if (spend) spend.nanos += amount;
      else days.set(periods.day, { tenantId, ...periods, nanos: amount });
      if (outage && outage.limiter !== countedBy && outage.started.has(tenantId))
        void outage.limiter.settle(tenantId, randomUUID(), amount);
    },

    writeBack() {
      if (unsent.size === 0) return undefined;
      writing ??= sendAll().finally(() => {
        writing = undefined;
      });
      return writing;
    },
  };
}
