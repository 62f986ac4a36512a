// Where a model call meets its tenant's spend caps: the gateway reserves each target attempt's worst case here
// and settles it after. Like the rate gate, it bounds the wait on the shared limiter (LIMITS_TIMEOUT_MS) and
// applies LIMITS_ON_REDIS_FAILURE when Redis is down or slow: `closed` (the default) answers `unavailable`
// (the call goes to its floor with LIMITS_UNAVAILABLE), `open` reserves against this process's own limiter
// (the same caps, per replica: N replicas may spend up to N caps while Redis is away). Failures are counted
// in ai_limits_unavailable_total and logged at most once per 10 s (limits-failure-notice.ts). A reservation
// whose answer came after the bound (Redis slow, not away) is released as soon as it lands, charging nothing:
// the gate had already answered without it, so it would otherwise hold the tenant's cap until its TTL lapsed.
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { unreachable } from '../errors/unreachable';
import { limitsFailureNotice } from './limits-failure-notice';
import { createMemorySpendLimiter } from './memory-spend-limiter';
import type { SpendSeed } from './memory-spend-limiter';
import type { LoopStallClock } from '../observability/event-loop-lag';
import { withTimeout } from './limiter-timeout';
import type { RateGateSettings } from './rate-gate';
import type { SpendCapName, SpendCaps, SpendDecision, SpendLimiter } from './spend-limiter';

export interface SpendGateSettings extends RateGateSettings {
  /** How long an unsettled reservation holds: a little above the longest a call can run. */
  reservationTtlMs: number;
}

export type SpendCheck =
  /** settle() never rejects: a lost settle leaves the reservation to lapse, which errs on the safe side. */
  | { kind: 'reserved'; settle(realNanos: number): void }
  | { kind: 'over'; cap: SpendCapName; capNanos: number }
  /** The shared limiter could not answer and the policy is `closed`. */
  | { kind: 'unavailable' };

export interface SpendGate {
  reserve(tenantId: string, caps: SpendCaps, worstNanos: number): Promise<SpendCheck>;
}

const UNCAPPED: SpendCheck = { kind: 'reserved', settle: () => undefined };

/** `shared` is the Redis limiter, or null when there is no Redis: then the process's own limiter is the limiter. */
export function createSpendGate(
  shared: SpendLimiter | null,
  settings: SpendGateSettings,
  deps: { metrics: Metrics; logger: Logger; seed?: SpendSeed; loopStalls?: LoopStallClock },
): SpendGate {
  // Without Redis the process's limiter is the limiter, and it starts from the spend the ledger kept.
  const local = createMemorySpendLimiter(undefined, shared ? undefined : deps.seed);
  const noteFailure = limitsFailureNotice(deps, settings.onFailure, {
    closed: 'spend caps unavailable: model requests go to their floor (LIMITS_ON_REDIS_FAILURE=closed)',
    open: 'spend caps unavailable: model spend is capped per process (LIMITS_ON_REDIS_FAILURE=open)',
  });

  const reserveOn = async (
    limiter: SpendLimiter,
    tenantId: string,
    caps: SpendCaps,
    worstNanos: number,
    bounded: boolean,
  ): Promise<SpendCheck> => {
    const work = limiter.reserve(tenantId, caps, worstNanos, settings.reservationTtlMs);
    const settle = (ticket: string, realNanos: number) =>
      void limiter.settle(tenantId, ticket, realNanos).catch((error: unknown) => noteFailure(error));
    // A late reservation: the call went on without it (floor, or the local limiter), so it cost nothing here.
    const releaseLate = (late: SpendDecision) => {
      if (late.fits) settle(late.ticket, 0);
    };
    const decision = await (bounded
      ? withTimeout(work, settings.timeoutMs, deps.loopStalls, releaseLate)
      : work);
    if (!decision.fits) return { kind: 'over', cap: decision.cap, capNanos: decision.capNanos };
    return { kind: 'reserved', settle: (realNanos) => settle(decision.ticket, realNanos) };
  };

  return {
    async reserve(tenantId, caps, worstNanos) {
      if (caps.dailyNanos === undefined && caps.monthlyNanos === undefined) return UNCAPPED;
      if (!shared) return reserveOn(local, tenantId, caps, worstNanos, false);
      try {
        return await reserveOn(shared, tenantId, caps, worstNanos, true);
      } catch (error) {
        noteFailure(error);
        switch (settings.onFailure) {
          case 'closed':
            return { kind: 'unavailable' };
          case 'open':
            return reserveOn(local, tenantId, caps, worstNanos, false);
          default:
            return unreachable(settings.onFailure);
        }
      }
    },
  };
}
