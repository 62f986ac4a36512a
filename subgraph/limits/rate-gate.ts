// Where a model call meets its tenant's rate limits: the gateway asks the gate once per request that reaches
// the model path (after a cache miss), and settles the admission's tokens after the call. The gate bounds the
// shared limiter's wait (LIMITS_TIMEOUT_MS) and applies the failure policy when Redis is down or slow:
// `closed` (the default) sends the request to its floor with LIMITS_UNAVAILABLE, `open` admits it under this
// process's own limiter (the same limits, per replica). Either way the failure is counted in
// ai_limits_unavailable_total and logged at most once per 10 s (limits-failure-notice.ts), so an outage is not a log flood.
// An admission whose answer came after the bound (Redis slow, not away) is given back as soon as it lands, its
// request slot and its tokens: the gate had already answered without it.
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { createMemoryRateLimiter } from './memory-rate-limiter';
import { unreachable } from '../errors/unreachable';
import { limitsFailureNotice } from './limits-failure-notice';
import type { LoopStallClock } from '../observability/event-loop-lag';
import { withTimeout } from './limiter-timeout';
import type { RateDecision, RateLimiter, RateLimitName, RateLimits } from './rate-limiter';

export type LimitsFailurePolicy = 'closed' | 'open';

export interface RateGateSettings {
  /** How long a check may wait on the shared limiter before the failure policy applies. */
  timeoutMs: number;
  onFailure: LimitsFailurePolicy;
}

export type RateCheck =
  /** settle() never rejects: a lost settle leaves the estimate in the window, which errs on the safe side. */
  | { kind: 'admitted'; settle(usedTokens: number): void }
  | { kind: 'refused'; limit: RateLimitName; perMinute: number; retryAfterSeconds: number }
  /** The shared limiter could not answer and the policy is `closed`. */
  | { kind: 'unavailable' };

export interface RateGate {
  check(tenantId: string, limits: RateLimits, estimatedTokens: number): Promise<RateCheck>;
}

const ADMITTED_UNCHECKED: RateCheck = { kind: 'admitted', settle: () => undefined };

/**
 * `shared` is the Redis limiter, or null when there is no Redis: then the process's own limiter is the
 * limiter, and nothing can fail.
 */
export function createRateGate(
  shared: RateLimiter | null,
  settings: RateGateSettings,
  deps: { metrics: Metrics; logger: Logger; loopStalls?: LoopStallClock },
): RateGate {
  const local = createMemoryRateLimiter();
  const noteFailure = limitsFailureNotice(deps, settings.onFailure, {
    closed: 'rate limits unavailable: model requests go to their floor (LIMITS_ON_REDIS_FAILURE=closed)',
    open: 'rate limits unavailable: model requests are limited per process (LIMITS_ON_REDIS_FAILURE=open)',
  });

  const checkOn = async (
    limiter: RateLimiter,
    tenantId: string,
    limits: RateLimits,
    tokens: number,
    bound: (work: Promise<RateDecision>) => Promise<RateDecision>,
  ): Promise<RateCheck> => {
    const decision = await bound(limiter.acquire(tenantId, limits, tokens));
    if (!decision.admitted) {
      const { limit, perMinute, retryAfterMs } = decision;
      return {
        kind: 'refused',
        limit,
        perMinute,
        retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
      };
    }
    if (limits.tokensPerMinute === undefined) return ADMITTED_UNCHECKED;
    return {
      kind: 'admitted',
      settle: (used) =>
        void limiter.settle(tenantId, decision.ticket, used).catch((error: unknown) => noteFailure(error)),
    };
  };

  return {
    async check(tenantId, limits, tokens) {
      if (limits.requestsPerMinute === undefined && limits.tokensPerMinute === undefined) {
        return ADMITTED_UNCHECKED;
      }
      if (!shared) return checkOn(local, tenantId, limits, tokens, (work) => work);
      try {
        return await checkOn(shared, tenantId, limits, tokens, (work) =>
          withTimeout(work, settings.timeoutMs, deps.loopStalls, (late) => {
            if (!late.admitted) return;
            void shared.release(tenantId, late.ticket).catch((error: unknown) => noteFailure(error));
          }),
        );
      } catch (error) {
        noteFailure(error);
        switch (settings.onFailure) {
          case 'closed':
            return { kind: 'unavailable' };
          case 'open':
            return checkOn(local, tenantId, limits, tokens, (work) => work);
          default:
            return unreachable(settings.onFailure);
        }
      }
    },
  };
}
