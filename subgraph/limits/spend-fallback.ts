// The process's own spend limiter while Redis is away and LIMITS_ON_REDIS_FAILURE=open (spend-gate.ts), and what
// this process knows that Redis does not count. It must neither refill the cap nor hide its spend from Redis, or
// one replica could spend a whole extra cap per outage and the others would never count it. So each outage's
// limiter starts a tenant from the best spend known here: what Redis last reported for the tenant (lastSpent)
// plus what Redis has not counted yet; and the spend an outage limiter settled is written back to Redis's
// counters, through a settle of no reservation (which adds the cost: money spent is spent).
// A settle of a Redis reservation that Redis did not acknowledge (it went away mid-call) is kept too, and sent
// again under its own ticket: Redis counts a ticket once (redis-spend-limiter.ts), whether its reservation is
// still held, has lapsed meanwhile, or was settled by the first try whose answer was lost.
// Reservations in flight are held here, on the limiter that made them, until they settle or lapse: every other
// limiter is asked to fit a reservation beside them (holding()), so a reservation made on the outage limiter
// and still running when Redis comes back (or one made on Redis and still running when it goes away) counts on
// both sides, and its settle lands once, where its limiter sends it.
// What is pending goes to Redis before Redis's next reservation here, by a retry every WRITE_BACK_RETRY_MS while
// anything is pending (an unref'd timer, stopped by stop()), so a replica that drains or serves no more capped
// traffic still gets it there. Written back on a later UTC day, it counts in that day's spend too (on the safe
// side); a month that has ended is not written back, as no cap reads it any more.
// The spend waiting is one sum per tenant and day, however many settles made it, and one write-back at a time
// sends it, one item first: while Redis is away that one fails, alone, instead of the whole backlog at every
// reservation. A sum once sent keeps its ticket and amount until Redis acknowledges it, and Redis counts a ticket
// once: a write-back that ran but whose answer was lost adds nothing when sent again.
import { randomUUID } from 'node:crypto';
import { createMemorySpendLimiter } from './memory-spend-limiter';
import { spendPeriods, wholeNanos } from './spend-limiter';
import type { SharedSpendLimiter, SpendLimiter } from './spend-limiter';

/** How often the spend Redis has not counted is sent again while any is pending. */
export const WRITE_BACK_RETRY_MS = 1_000;

/** A tenant's spend of one UTC day that Redis has not counted. */
interface Unsent {
  tenantId: string;
  day: string;
  month: string;
  nanos: number;
  /** The part of `nanos` sent under `ticket` and not acknowledged: sent again as it is, never re-summed. */
  sent?: { ticket: string; nanos: number };
}

/** A settle of Redis's reservation `ticket` that Redis did not acknowledge. */
interface LostSettle {
  tenantId: string;
  ticket: string;
  day: string;
  month: string;
  nanos: number;
}

/** A reservation in flight on `on`, until it settles or lapses. */
interface Hold {
  nanos: number;
  expiresAt: number;
  on: SpendLimiter;
}

/** Spend to keep out of the caps a limiter checks. */
export interface SpendElsewhere {
  dayNanos: number;
  monthNanos: number;
}

export interface SpendFallback {
  /** This outage's limiter: a fresh one after each reservation Redis answered. */
  limiter(): SpendLimiter;
  /** Redis answered a reservation: the next failure starts a new outage, from what is known then. */
  recovered(): void;
  /** A reservation `on` made: held here until the returned release (at its settle) or its TTL. */
  hold(tenantId: string, nanos: number, on: SpendLimiter): () => void;
  /**
   * What this process holds or spent that `asked` does not count (undefined: nothing): the reservations in
   * flight on the other limiters, and for Redis the spend not written back yet.
   */
  elsewhere(tenantId: string, asked: SpendLimiter): SpendElsewhere | undefined;
  /**
   * Spend an outage limiter (`countedBy`) settled, which Redis has not counted. When that outage is over and
   * another has begun, the new outage's limiter counts it too.
   */
  unsent(tenantId: string, nanos: number, countedBy: SpendLimiter): void;
  /** A settle of Redis's reservation `ticket` that failed: sent again with the write-back. */
  lost(tenantId: string, ticket: string, nanos: number): void;
  /**
   * Sends Redis the spend it has not counted (undefined: none), joining the write-back on its way if there is
   * one; resolves once all of it is counted, rejects when a write-back failed.
   */
  writeBack(): Promise<void> | undefined;
  /** What is still to send. */
  pending(): { nanos: number; tenants: number };
  /** No retry any more (the gate's close makes the last write-back). */
  stop(): void;
}

export function createSpendFallback(
  shared: SharedSpendLimiter,
  reservationTtlMs: number,
  now = () => Date.now(),
): SpendFallback {
  /** Per tenant, per day. */
  const unsent = new Map<string, Map<string, Unsent>>();
  /** Per ticket. */
  const lost = new Map<string, LostSettle>();
  /** Per tenant, in the order made, so in the order they lapse (one TTL for all). */
  const sharedHolds = new Map<string, Set<Hold>>();
  const awayHolds = new Map<string, Set<Hold>>();
  let outage: { limiter: SpendLimiter; started: Set<string> } | undefined;
  let writing: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;

  const bestKnown = (tenantId: string, at: number) => {
    const { day, month } = spendPeriods(at);
    const last = shared.lastSpent(tenantId);
    let dayNanos = last?.day === day ? last.dayNanos : 0;
    let monthNanos = last?.month === month ? last.monthNanos : 0;
    for (const spend of [...(unsent.get(tenantId)?.values() ?? []), ...lostOf(tenantId)]) {
      if (spend.day === day) dayNanos += spend.nanos;
      if (spend.month === month) monthNanos += spend.nanos;
    }
    return { dayNanos, monthNanos };
  };

  const lostOf = (tenantId: string): LostSettle[] =>
    lost.size === 0 ? [] : [...lost.values()].filter((settle) => settle.tenantId === tenantId);

  const outageLimiter = () => {
    if (!outage) {
      const started = new Set<string>();
      // The seed runs once per tenant, at its first reservation of the outage: from then on, spend Redis has
      // not counted (an earlier outage's reservation settled late, a settle Redis did not take) reaches it by
      // settle(), not by the seed.
      const limiter = createMemorySpendLimiter(now, (tenantId, at) => {
        started.add(tenantId);
        return Promise.resolve(bestKnown(tenantId, at.getTime()));
      });
      outage = { limiter, started };
    }
    return outage;
  };

  /** Spend Redis has not counted reaches the outage limiter that already started the tenant, if another. */
  const tellOutage = (tenantId: string, nanos: number, countedBy: SpendLimiter | undefined) => {
    if (nanos > 0 && outage && outage.limiter !== countedBy && outage.started.has(tenantId))
      void outage.limiter.settle(tenantId, randomUUID(), nanos);
  };

  /** The tenant's holds not lapsed, the lapsed ones dropped (they are in the order they lapse). */
  const liveHolds = (holds: Map<string, Set<Hold>>, tenantId: string): Set<Hold> | undefined => {
    const set = holds.get(tenantId);
    if (!set) return undefined;
    const at = now();
    for (const hold of set) {
      if (hold.expiresAt > at) break;
      set.delete(hold);
    }
    if (set.size > 0) return set;
    holds.delete(tenantId);
    return undefined;
  };

  const schedule = () => {
    if (stopped || retry || (unsent.size === 0 && lost.size === 0)) return;
    retry = setTimeout(() => {
      retry = undefined;
      writeBack()?.catch(() => undefined);
    }, WRITE_BACK_RETRY_MS);
    retry.unref();
  };

  const forget = (spend: Unsent) => {
    const days = unsent.get(spend.tenantId);
    days?.delete(spend.day);
    if (days?.size === 0) unsent.delete(spend.tenantId);
  };

  const send = async (spend: Unsent): Promise<void> => {
    spend.sent ??= { ticket: randomUUID(), nanos: spend.nanos };
    await shared.settle(spend.tenantId, spend.sent.ticket, spend.sent.nanos);
    // Spend settled meanwhile stays, for a write-back of its own.
    spend.nanos -= spend.sent.nanos;
    spend.sent = undefined;
    if (spend.nanos === 0) forget(spend);
  };

  const sendAgain = async (settle: LostSettle): Promise<void> => {
    await shared.settle(settle.tenantId, settle.ticket, settle.nanos);
    lost.delete(settle.ticket);
  };

  /** What is left to send, less the months that have ended (a lost settle's reservation lapses by its TTL). */
  const backlog = (): (() => Promise<void>)[] => {
    const { month } = spendPeriods(now());
    const due: (() => Promise<void>)[] = [];
    for (const days of unsent.values()) {
      for (const spend of days.values()) {
        if (spend.month === month) due.push(() => send(spend));
        else forget(spend);
      }
    }
    for (const settle of lost.values()) {
      if (settle.month === month) due.push(() => sendAgain(settle));
      else lost.delete(settle.ticket);
    }
    return due;
  };

  const sendAll = async () => {
    // Until none is left: spend settled while a write-back was on its way is Redis's to count before it reserves.
    for (let [first, ...rest] = backlog(); first; [first, ...rest] = backlog()) {
      await first();
      const sends = rest.map((sendOne) => sendOne());
      // Every send ends before the write-back does (then fails with the first error), so no sum is ever on its
      // way twice.
      await Promise.allSettled(sends);
      await Promise.all(sends);
    }
  };

  const writeBack = () => {
    if (unsent.size === 0 && lost.size === 0) return undefined;
    writing ??= sendAll().finally(() => {
      writing = undefined;
      schedule();
    });
    return writing;
  };

  return {
    limiter: () => outageLimiter().limiter,

    recovered() {
      outage = undefined;
    },

    hold(tenantId, nanos, on) {
      const holds = on === shared ? sharedHolds : awayHolds;
      const set = liveHolds(holds, tenantId) ?? new Set<Hold>();
      holds.set(tenantId, set);
      const hold = { nanos: wholeNanos(nanos), expiresAt: now() + reservationTtlMs, on };
      set.add(hold);
      return () => {
        if (set.delete(hold) && set.size === 0 && holds.get(tenantId) === set) holds.delete(tenantId);
      };
    },

    elsewhere(tenantId, asked) {
      // Redis is asked with nothing held elsewhere and nothing pending, unless an outage left some: two lookups.
      const away = awayHolds.size > 0 ? liveHolds(awayHolds, tenantId) : undefined;
      const onRedis = asked === shared ? undefined : liveHolds(sharedHolds, tenantId);
      const days = asked === shared ? unsent.get(tenantId) : undefined;
      if (!away && !onRedis && !days) return undefined;
      let held = 0;
      for (const hold of [...(away ?? []), ...(onRedis ?? [])]) if (hold.on !== asked) held += hold.nanos;
      const { day, month } = spendPeriods(now());
      let dayNanos = held;
      let monthNanos = held;
      for (const spend of days?.values() ?? []) {
        if (spend.day === day) dayNanos += spend.nanos;
        if (spend.month === month) monthNanos += spend.nanos;
      }
      return dayNanos === 0 && monthNanos === 0 ? undefined : { dayNanos, monthNanos };
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
      tellOutage(tenantId, amount, countedBy);
      schedule();
    },

    lost(tenantId, ticket, nanos) {
      const amount = wholeNanos(nanos);
      lost.set(ticket, { tenantId, ticket, ...spendPeriods(now()), nanos: amount });
      tellOutage(tenantId, amount, shared);
      schedule();
    },

    writeBack,

    pending() {
      const tenants = new Set<string>();
      let nanos = 0;
      for (const [tenantId, days] of unsent) {
        tenants.add(tenantId);
        for (const spend of days.values()) nanos += spend.nanos;
      }
      for (const settle of lost.values()) {
        tenants.add(settle.tenantId);
        nanos += settle.nanos;
      }
      return { nanos, tenants: tenants.size };
    },

    stop() {
      stopped = true;
      clearTimeout(retry);
      retry = undefined;
    },
  };
}
