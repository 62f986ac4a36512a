// Maps a provider failure to the DegradationReason a client renders.
import type { DegradationReason } from './degradation-reason';
import type { FailureKind } from '../errors/provider-error';
import { unreachable } from '../errors/unreachable';

export function reasonFor(kind: FailureKind): DegradationReason {
  switch (kind) {
    case 'timeout':
      return 'PROVIDER_TIMEOUT';
    // `overloaded`: this replica's own lag, not the target; the client is told when to come back, as under a
    // rate limit.
    case 'rate-limited':
    case 'overloaded':
      return 'RATE_LIMITED';
    case 'circuit-open':
      return 'CIRCUIT_OPEN';
    case 'rejected':
      return 'GUARDRAIL_REJECTED';
    case 'budget':
      return 'BUDGET_EXCEEDED';
    case 'limits-unavailable':
      return 'LIMITS_UNAVAILABLE';
    // `cancelled` is never shown: the walk keeps a cancelled attempt as a hedge that lost, not as a failure.
    case 'cancelled':
    case 'server':
    case 'network':
    case 'malformed':
    case 'client':
      return 'PROVIDER_ERROR';
    default:
      return unreachable(kind);
  }
}
