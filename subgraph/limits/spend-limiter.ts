// The spend-cap port: a tenant's model spend per UTC day and month, held against its caps BEFORE each call.
// The gateway reserves a call's worst case (input estimate + max output tokens, priced) and, after the call,
// settles the reservation to the real cost, releasing the rest. A reservation fits only when settled spend +
// every outstanding reservation + this one stay within both caps, so concurrent calls can never together go
// over, whichever replica runs them. A reservation never settled (the process died mid-call) lapses after its
// TTL, which is set a little above the longest a call can run. Two adapters hold one contract
// (test/integration/spend-limiter-contract.test.ts): process memory (one replica) and Redis (every replica).
//
// Why the limiter keeps its own spend counters rather than reading the usage ledger: the check and the
// reservation must be one atomic step, and the ledger is written by the features after the call, per feature,
// possibly in SQL; a Lua script can only be atomic over keys it owns. So the limiter counts settled spend in
// its own per-tenant day and month keys (INCRBY at settle, in the same script that drops the reservation),
// which are exactly what the caps are checked against. The ledger stays the account for `usage`.

/** A tenant's caps in nano-dollars; an unset cap is not checked. */
export interface SpendCaps {
  dailyNanos?: number;
  monthlyNanos?: number;
}

export type SpendCapName = 'daily' | 'monthly';

export type SpendDecision =
  /** `ticket` names the reservation for settle(). */
  | { fits: true; ticket: string }
  /** Nothing was reserved. */
  | { fits: false; cap: SpendCapName; capNanos: number };

export interface SpendLimiter {
  /**
   * Reserves `worstNanos` for `ttlMs` when settled spend + outstanding reservations + it fit under every cap
   * set; else refuses and records nothing. One atomic step across every replica sharing the store.
   */
  reserve(tenantId: string, caps: SpendCaps, worstNanos: number, ttlMs: number): Promise<SpendDecision>;
  /**
   * Replaces the reservation by the real cost, added to today's and this month's spend; the rest is released.
   * The cost is added even when the reservation has lapsed: money spent is spent.
   */
  settle(tenantId: string, ticket: string, realNanos: number): Promise<void>;
  /** Nano-dollars reserved and not yet settled nor lapsed: 0 once every call has settled. */
  outstanding(tenantId: string): Promise<number>;
  /** Settled spend of the current UTC day and month. */
  spent(tenantId: string): Promise<{ dayNanos: number; monthNanos: number }>;
}

/** Settled spend of a UTC day and of its month, with the periods as key parts (see spendPeriods). */
export interface PeriodSpend {
  day: string;
  dayNanos: number;
  month: string;
  monthNanos: number;
}

/**
 * The limiter every replica shares (Redis). Two things the gate needs of it beyond the port: a tenant's counters
 * of a new day and month start from the usage ledger (spend made before the cap applied, or while the tenant had
 * none, counts against it), and while Redis is away the process's own limiter starts from what Redis last said.
 * What that limiter spent is written back by a settle of a ticket no reservation holds, sent again until Redis
 * answers: such a settle adds its cost once a month, however often the ticket is sent.
 */
export interface SharedSpendLimiter extends SpendLimiter {
  /**
   * Sets the tenant's spend of `spend.day` and of `spend.month` where that counter does not exist yet, each
   * atomically: a counter another replica seeded, or a settle made, first is kept as it is.
   */
  seed(tenantId: string, spend: PeriodSpend): Promise<void>;
  /** The tenant's settled spend as the store last reported it to this process (at a reservation or a settle). */
  lastSpent(tenantId: string): PeriodSpend | undefined;
}

/** The UTC day and month a spend belongs to, as key parts: `2026-12-06`, `2026-12`. */
export function spendPeriods(at: number): { day: string; month: string } {
  const day = new Date(at).toISOString().slice(0, 10);
  return { day, month: day.slice(0, 7) };
}

/** Amounts are whole, non-negative nano-dollars. */
export const wholeNanos = (nanos: number): number => Math.max(0, Math.ceil(nanos));
