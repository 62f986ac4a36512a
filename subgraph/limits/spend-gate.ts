// Where a model call meets its tenant's spend caps: the gateway reserves each target attempt's worst case here
// and settles it after. Like the rate gate, it bounds the wait on the shared limiter (LIMITS_TIMEOUT_MS) and
// applies LIMITS_ON_REDIS_FAILURE when Redis is down or slow: `closed` (the default) answers `unavailable`
// (the call goes to its floor with LIMITS_UNAVAILABLE), `open` reserves against this process's own limiter
// (the same caps, per replica: N replicas may spend up to N caps while Redis is away; spend-fallback.ts starts
// it from the spend Redis last reported and tells Redis what it spent once Redis answers again). Failures are
// counted in ai_limits_unavailable_total and logged at most once per 10 s (limits-failure-notice.ts). A
// reservation whose answer came after the bound (Redis slow, not away) is released as soon as it lands, charging
// nothing: the gate had already answered without it, so it would otherwise hold the tenant's cap until its TTL
// lapsed. Either limiter starts a tenant from the usage ledger (`seed`, spend-seed.ts). Without Redis, a ledger
// that cannot be read is the limiter failing, under the same policy (`open`: that tenant is counted from this
// process's own spend), and it is read again at the tenant's next reservation.
// Under either policy nothing Redis missed is lost: a settle Redis did not acknowledge is kept and sent again,
// and what an outage spent is written back, at Redis's next reservation here or by a retry while any is
// pending, and at close(). A reservation in flight on one limiter (Redis, or an outage's own) is kept out of
// the caps every other limiter checks until it settles, so an outage that starts or ends mid-call counts it.
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { unreachable } from '../errors/unreachable';
import { limitsFailureNotice } from './limits-failure-notice';
import { createMemorySpendLimiter } from './memory-spend-limiter';
import type { SpendSeed } from './memory-spend-limiter';
import type { LoopStallClock } from '../observability/event-loop-lag';
import { withTimeout } from './limiter-timeout';
import type { RateGateSettings } from './rate-gate';
import { createSpendFallback } from './spend-fallback';
import type { SpendElsewhere } from './spend-fallback';
import type {
  SharedSpendLimiter,
  SpendCapName,
  SpendCaps,
  SpendDecision,
  SpendLimiter,
} from './spend-limiter';
import { sharedSpendSeeding } from './spend-seed';

export interface SpendGateSettings extends RateGateSettings {
  /** How long an unsettled reservation holds: a little above the longest a call can run. */
  reservationTtlMs: number;
}

export type SpendCheck =
  /**
   * settle() never rejects: a settle Redis does not acknowledge is kept and sent again once Redis answers
   * (spend-fallback.ts), its reservation holding the cap meanwhile.
   */
  | { kind: 'reserved'; settle(realNanos: number): void }
  | { kind: 'over'; cap: SpendCapName; capNanos: number }
  /** The shared limiter could not answer and the policy is `closed`. */
  | { kind: 'unavailable' };

export interface SpendGate {
  reserve(tenantId: string, caps: SpendCaps, worstNanos: number): Promise<SpendCheck>;
  /**
   * At shutdown, once no call runs: waits (bounded) for the settles on their way, makes a last write-back of
   * what Redis has not counted, and logs what could not be sent. No retry runs after it.
   */
  close(): Promise<void>;
}

const UNCAPPED: SpendCheck = { kind: 'reserved', settle: () => undefined };

/** How many LIMITS_TIMEOUT_MS close() may wait on Redis: a second at the default 250 ms. */
const CLOSE_BOUNDS = 4;

/**
 * The limiter a reservation is made on, which says where its cost goes: `shared` Redis; `outage` this
 * process's own while Redis is away, and Redis too when it answers again; `alone` this process's own where
 * there is no Redis (the ledger it starts from records the cost).
 */
type LimiterRole = 'shared' | 'outage' | 'alone';

/** The caps less what is counted elsewhere: never below 0 (a negative cap would read as no cap). */
const capsLess = (caps: SpendCaps, spend: SpendElsewhere | undefined): SpendCaps =>
  spend
    ? {
        dailyNanos: caps.dailyNanos === undefined ? undefined : Math.max(0, caps.dailyNanos - spend.dayNanos),
        monthlyNanos:
          caps.monthlyNanos === undefined ? undefined : Math.max(0, caps.monthlyNanos - spend.monthNanos),
      }
    : caps;

/** `shared` is the Redis limiter, or null when there is no Redis: then the process's own limiter is the limiter. */
export function createSpendGate(
  shared: SharedSpendLimiter | null,
  settings: SpendGateSettings,
  deps: { metrics: Metrics; logger: Logger; seed?: SpendSeed; loopStalls?: LoopStallClock },
): SpendGate {
  const fallback = shared && createSpendFallback(shared, settings.reservationTtlMs);
  const seedShared = shared && deps.seed ? sharedSpendSeeding(shared, deps.seed) : () => undefined;
  // Without Redis the process's limiter is the limiter, and it starts from the spend the ledger kept.
  const local = createMemorySpendLimiter(undefined, deps.seed);
  let unseeded: SpendLimiter | undefined;
  /** Settles on their way to Redis: close() waits for them before its write-back. */
  const settling = new Set<Promise<void>>();
  const noteFailure = limitsFailureNotice(deps, settings.onFailure, {
    closed: 'spend caps unavailable: model requests go to their floor (LIMITS_ON_REDIS_FAILURE=closed)',
    open: 'spend caps unavailable: model spend is capped per process (LIMITS_ON_REDIS_FAILURE=open)',
  });

  /** A settle on Redis: one it does not acknowledge is kept for the write-back. */
  const settleShared = (tenantId: string, ticket: string, realNanos: number, release?: () => void) => {
    if (!shared || !fallback) return;
    const settled = shared.settle(tenantId, ticket, realNanos).then(
      () => release?.(),
      (error: unknown) => {
        release?.();
        fallback.lost(tenantId, ticket, realNanos);
        noteFailure(error);
      },
    );
    settling.add(settled);
    void settled.finally(() => settling.delete(settled));
  };

  const reserveOn = async (
    role: LimiterRole,
    limiter: SpendLimiter,
    tenantId: string,
    caps: SpendCaps,
    worstNanos: number,
  ): Promise<SpendCheck> => {
    // What this process holds or spent that this limiter does not count (undefined nearly always).
    const elsewhere = role === 'alone' ? undefined : fallback?.elsewhere(tenantId, limiter);
    const work = limiter.reserve(tenantId, capsLess(caps, elsewhere), worstNanos, settings.reservationTtlMs);
    // A late reservation: the call went on without it (floor, or the local limiter), so it cost nothing here.
    const releaseLate = (late: SpendDecision) => {
      if (late.fits) settleShared(tenantId, late.ticket, 0);
    };
    const decision = await (role === 'shared'
      ? withTimeout(work, settings.timeoutMs, deps.loopStalls, releaseLate)
      : work);
    if (!decision.fits) {
      const capNanos = decision.cap === 'daily' ? caps.dailyNanos : caps.monthlyNanos;
      return { kind: 'over', cap: decision.cap, capNanos: capNanos ?? decision.capNanos };
    }
    const { ticket } = decision;
    switch (role) {
      case 'alone':
        return {
          kind: 'reserved',
          settle: (realNanos) =>
            void limiter.settle(tenantId, ticket, realNanos).catch((error: unknown) => noteFailure(error)),
        };
      case 'shared': {
        const release = fallback?.hold(tenantId, worstNanos, limiter);
        return {
          kind: 'reserved',
          settle: (realNanos) => settleShared(tenantId, ticket, realNanos, release),
        };
      }
      case 'outage': {
        const release = fallback?.hold(tenantId, worstNanos, limiter);
        return {
          kind: 'reserved',
          settle: (realNanos) => {
            void limiter.settle(tenantId, ticket, realNanos);
            release?.();
            // At once, not after the settle's promise: the next reservation may be Redis's, back already.
            fallback?.unsent(tenantId, realNanos, limiter);
          },
        };
      }
      default:
        return unreachable(role);
    }
  };

  const whenUnavailable = (error: unknown, open: () => Promise<SpendCheck>): Promise<SpendCheck> => {
    noteFailure(error);
    switch (settings.onFailure) {
      case 'closed':
        return Promise.resolve({ kind: 'unavailable' });
      case 'open':
        return open();
      default:
        return unreachable(settings.onFailure);
    }
  };

  return {
    async reserve(tenantId, caps, worstNanos) {
      if (caps.dailyNanos === undefined && caps.monthlyNanos === undefined) return UNCAPPED;
      if (!shared || !fallback) {
        try {
          return await reserveOn('alone', local, tenantId, caps, worstNanos);
        } catch (error) {
          return whenUnavailable(error, () =>
            reserveOn('alone', (unseeded ??= createMemorySpendLimiter()), tenantId, caps, worstNanos),
          );
        }
      }
      try {
        // Redis first counts the spend it missed while away and, at a tenant's first reservation of the day
        // here, starts the tenant's counters from the ledger: both bounded like the reservation.
        const before = [fallback.writeBack(), seedShared(tenantId)].filter((work) => work !== undefined);
        if (before.length > 0) await withTimeout(Promise.all(before), settings.timeoutMs, deps.loopStalls);
        const check = await reserveOn('shared', shared, tenantId, caps, worstNanos);
        fallback.recovered();
        return check;
      } catch (error) {
        return whenUnavailable(error, () =>
          reserveOn('outage', fallback.limiter(), tenantId, caps, worstNanos),
        );
      }
    },

    async close() {
      if (!fallback) return;
      fallback.stop();
      const last = Promise.allSettled([...settling]).then(() => fallback.writeBack());
      await withTimeout(last, CLOSE_BOUNDS * settings.timeoutMs).catch(() => undefined);
      const left = fallback.pending();
      if (left.tenants > 0) {
        deps.logger.warn(
          { unsentNanos: left.nanos, tenants: left.tenants },
          'spend caps: spend Redis has not counted could not be written back before shutdown',
        );
      }
    },
  };
}
