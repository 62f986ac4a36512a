// The spend limiter in process memory: one replica's day and month spend and its outstanding reservations
// (see spend-limiter.ts). Also the per-process guard when Redis is away and LIMITS_ON_REDIS_FAILURE=open.
// Without Redis it is the only limiter; given `seed` (the usage ledger, kept in the SQL store), a tenant's day
// and month spend are read back the first time the tenant spends after a start, so a restart of the embedded
// default forgets neither a month's spend nor how much of its cap is left.
import { randomUUID } from 'node:crypto';
import { spendPeriods, wholeNanos } from './spend-limiter';
import type { SpendCaps, SpendDecision, SpendLimiter } from './spend-limiter';

interface TenantSpend {
  day: string;
  dayNanos: number;
  month: string;
  monthNanos: number;
  reservations: Map<string, { nanos: number; expiresAt: number }>;
}

/** A tenant's settled spend as recorded elsewhere (the usage ledger), in the periods of `at`. */
export type SpendSeed = (tenantId: string, at: Date) => Promise<{ dayNanos: number; monthNanos: number }>;

export function createMemorySpendLimiter(now = () => Date.now(), seed?: SpendSeed): SpendLimiter {
  const tenants = new Map<string, TenantSpend>();
  const seeded = new Map<string, Promise<void>>();

  /** Reads the tenant's recorded spend once per process, before its first reservation. */
  const seedOnce = (tenantId: string): Promise<void> => {
    if (!seed) return Promise.resolve();
    let pending = seeded.get(tenantId);
    if (!pending) {
      const at = now();
      pending = seed(tenantId, new Date(at)).then(
        ({ dayNanos, monthNanos }) => {
          const spend = spendOf(tenantId, at);
          spend.dayNanos += wholeNanos(dayNanos);
          spend.monthNanos += wholeNanos(monthNanos);
        },
        (error: unknown) => {
          // Tried again at the next reservation, which fails meanwhile: a cap is never checked unseeded.
          seeded.delete(tenantId);
          throw error;
        },
      );
      seeded.set(tenantId, pending);
    }
    return pending;
  };

  /** The tenant's spend, rolled over to the current day and month, its lapsed reservations dropped. */
  const spendOf = (tenantId: string, at: number): TenantSpend => {
    const { day, month } = spendPeriods(at);
    let spend = tenants.get(tenantId);
    if (!spend) {
      spend = { day, dayNanos: 0, month, monthNanos: 0, reservations: new Map() };
      tenants.set(tenantId, spend);
    }
    if (spend.day !== day) Object.assign(spend, { day, dayNanos: 0 });
    if (spend.month !== month) Object.assign(spend, { month, monthNanos: 0 });
    for (const [ticket, reservation] of spend.reservations) {
      if (reservation.expiresAt <= at) spend.reservations.delete(ticket);
    }
    return spend;
  };

  const reservedOf = (spend: TenantSpend): number => {
    let sum = 0;
    for (const reservation of spend.reservations.values()) sum += reservation.nanos;
    return sum;
  };

  return {
    async reserve(
      tenantId: string,
      caps: SpendCaps,
      worstNanos: number,
      ttlMs: number,
    ): Promise<SpendDecision> {
      await seedOnce(tenantId);
      const at = now();
      const spend = spendOf(tenantId, at);
      const nanos = wholeNanos(worstNanos);
      const reserved = reservedOf(spend);
      if (caps.dailyNanos !== undefined && spend.dayNanos + reserved + nanos > caps.dailyNanos)
        return { fits: false, cap: 'daily', capNanos: caps.dailyNanos };
      if (caps.monthlyNanos !== undefined && spend.monthNanos + reserved + nanos > caps.monthlyNanos)
        return { fits: false, cap: 'monthly', capNanos: caps.monthlyNanos };
      const ticket = randomUUID();
      spend.reservations.set(ticket, { nanos, expiresAt: at + ttlMs });
      return { fits: true, ticket };
    },

    settle(tenantId: string, ticket: string, realNanos: number): Promise<void> {
      const spend = spendOf(tenantId, now());
      spend.reservations.delete(ticket);
      const nanos = wholeNanos(realNanos);
      spend.dayNanos += nanos;
      spend.monthNanos += nanos;
      return Promise.resolve();
    },

    outstanding(tenantId: string): Promise<number> {
      return Promise.resolve(tenants.has(tenantId) ? reservedOf(spendOf(tenantId, now())) : 0);
    },

    spent(tenantId: string): Promise<{ dayNanos: number; monthNanos: number }> {
      if (!tenants.has(tenantId)) return Promise.resolve({ dayNanos: 0, monthNanos: 0 });
      const { dayNanos, monthNanos } = spendOf(tenantId, now());
      return Promise.resolve({ dayNanos, monthNanos });
    },
  };
}
