// The per-tenant rate limit port: requests per minute and model tokens per minute, each a sliding window.
// One adapter per deployment shape: process memory (one replica) and Redis (every replica counts against the
// same window). Both hold the same contract (test/integration/rate-limiter-contract.test.ts).
//
// Why a sliding log rather than GCRA or a token bucket: the promise is "a limit of N per minute admits at most
// N in ANY 60-second window". A bucket (or GCRA) with a burst of N refills while it drains, so a window that
// straddles a full burst and the refill admits up to 2N - 1; with a burst of 1 it holds, but then 5 per minute
// means one every 12 s, which no client expects. A log of admission times admits the next request exactly
// when fewer than N fall in the last 60 s: the bound holds for every window, bursts included. Its cost is one
// entry per admitted request for a minute (at most N per tenant), which is bounded by the limit itself.
//
// Tokens are a sliding sum over the same window: each admitted request enters with an estimate (input
// characters / 4 + the prompt's max output tokens, the worst case) and is settled after the call to what the
// provider reported, so the window holds real usage once the calls are done.

/** A tenant policy's rate limits; an unset limit is not checked. */
export interface RateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export type RateLimitName = 'requests' | 'tokens';

export type RateDecision =
  /** `ticket` names the admission for settle(). */
  | { admitted: true; ticket: string }
  | {
      admitted: false;
      /** The limit that refused; a refused request is recorded in neither window. */
      limit: RateLimitName;
      perMinute: number;
      /** When enough of the window has passed for this request to fit; above 0. */
      retryAfterMs: number;
    };

export interface RateLimiter {
  /**
   * Admits one request of `tokens` estimated tokens when both windows have room, recording it in both; or
   * refuses it and records nothing. A request estimated above the whole token limit counts as the limit
   * (it fits an empty window) rather than being refused forever.
   */
  acquire(tenantId: string, limits: RateLimits, tokens: number): Promise<RateDecision>;
  /**
   * Corrects an admitted request's tokens to what it really used (a refund, or more after a repair). An
   * admission already out of the window, or admitted without a token limit, is left alone.
   */
  settle(tenantId: string, ticket: string, tokens: number): Promise<void>;
  /**
   * Gives an admission back whole, its request and its tokens, as if it had never been admitted: for one whose
   * answer reached nobody (it came after the gate's bound). An unknown or lapsed ticket is left alone.
   */
  release(tenantId: string, ticket: string): Promise<void>;
}

export const RATE_WINDOW_MS = 60_000;

/** The tokens a request counts for: whole, not negative, and never more than a limit it must fit under. */
export function countedTokens(tokens: number, tokensPerMinute: number | undefined): number {
  const whole = Math.max(0, Math.ceil(tokens));
  return tokensPerMinute === undefined ? whole : Math.min(whole, tokensPerMinute);
}
