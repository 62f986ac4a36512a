// The gateway's outcomes built from what it has: a cache entry (fresh, or stale when every target failed, with
// what the failed walk paid for), the last failure of the walk, with the provider's retry-after when it gave
// one (a refusal when the walk ended on this replica's own overload), a route with no target, or the outcome a
// caller that joined another's call in flight is told.
import type { ProviderError } from '../errors/provider-error';
import { unreachable } from '../errors/unreachable';
import type { CachedCompletion } from './cache/completion-cache';
import { reasonFor } from './failure-reason';
import type { CompletionOutcome, ModelAnswer, ModelFailure } from './gateway-call';
import type { RouteChoice } from './routing/router';

export function freshOf(entries: readonly (CachedCompletion | null)[]): ModelAnswer | null {
  const fresh = entries.find((entry) => entry && entry.freshUntil > Date.now());
  return fresh ? fromCache(fresh) : null;
}

/**
 * `paidNanos`: what the walk before a stale entry paid for (replies the output rails refused), which no other
 * outcome will report; a fresh entry served with no walk costs nothing.
 */
export function fromCache(entry: CachedCompletion, paidNanos = 0): ModelAnswer {
  return {
    kind: 'answered',
    text: entry.text,
    provider: entry.provider,
    model: entry.model,
    promptVersion: entry.promptVersion,
    cached: true,
    costNanos: paidNanos,
    usage: null,
  };
}

export function failed(last: ProviderError | null): ModelFailure {
  if (!last) return { kind: 'failed', reason: 'PROVIDER_TIMEOUT', retryAfterSeconds: null };
  const retryAfterSeconds = last.retryAfterMs !== null ? Math.ceil(last.retryAfterMs / 1000) : null;
  if (last.kind === 'overloaded') {
    return {
      kind: 'failed',
      reason: reasonFor(last.kind),
      retryAfterSeconds,
      refusedBy: 'overload',
      refusal: `This service is overloaded right now; retry in ${retryAfterSeconds ?? 1} s.`,
    };
  }
  return { kind: 'failed', reason: reasonFor(last.kind), retryAfterSeconds };
}

/** A failure when the route leaves no target; null when there is a chain to walk. */
export function unroutable(route: RouteChoice): ModelFailure | null {
  if (route.chain.length > 0) return null;
  // A tenant whose policy leaves no target is told so: configuring a provider would not help it.
  const reason = route.restrictedByPolicy ? 'PROVIDER_NOT_ALLOWED' : 'NO_PROVIDER_CONFIGURED';
  return { kind: 'failed', reason, retryAfterSeconds: null };
}

/**
 * What a follower that shared the leader's flight is told: the leader's outcome with no cost of its own. There
 * was no second model call, so no second charge: what the walk paid (an answer, or the replies the output rails
 * refused before it failed) is reported, and recorded in the tenant's ledger, by the leader alone.
 */
export function joinedOutcome(outcome: CompletionOutcome): CompletionOutcome {
  switch (outcome.kind) {
    case 'answered':
      return { ...outcome, cached: true, costNanos: 0, usage: null };
    case 'failed':
      return outcome.costNanos === undefined ? outcome : { ...outcome, costNanos: 0 };
    default:
      return unreachable(outcome);
  }
}
