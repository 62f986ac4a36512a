// The `message` of a degraded result: why the full path was not used and what the client got instead, in one
// sentence a product can show as it is (the enum alone left every frontend to write its own wording).
import type { ModelFailure } from '../gateway/gateway-call';
import type { DegradationReason } from './feature-result';
import type { FeatureName } from './meter-result';
import { unreachable } from '../errors/unreachable';

/**
 * A limit of ours, not the provider's, that held back the model call a degraded result went without: the
 * tenant's own rate limit, or this replica's overload (its event loop ran the attempt out). RATE_LIMITED alone
 * cannot tell these from a provider's 429.
 */
export interface OwnLimit {
  refusedBy: NonNullable<ModelFailure['refusedBy']>;
  retryAfterSeconds: number | null;
}

/** The clause naming our own limit, with when the full result can be had again. */
function ownLimitCause({ refusedBy, retryAfterSeconds }: OwnLimit): string {
  switch (refusedBy) {
    case 'overload':
      // As the gateway words it for ask and summarize: an overload always tells the client when to come back.
      return `This service is overloaded right now (retry in ${retryAfterSeconds ?? 1} s for the full result)`;
    case 'rate':
      return retryAfterSeconds === null
        ? 'This tenant’s rate limit is reached'
        : `This tenant’s rate limit is reached (retry in ${retryAfterSeconds} s for the full result)`;
    default:
      return unreachable(refusedBy);
  }
}

/** Why, as the first half of the sentence: one clause per reason, exhaustive so a new reason must get one. */
function cause(reason: DegradationReason): string {
  switch (reason) {
    case 'PROVIDER_ERROR':
      return 'The model provider returned an error';
    case 'PROVIDER_TIMEOUT':
      return 'The model provider did not answer in time';
    case 'CIRCUIT_OPEN':
      return 'The model provider failed repeatedly and is paused for a while';
    case 'RATE_LIMITED':
      return 'The model provider is rate limiting requests';
    case 'BUDGET_EXCEEDED':
      return 'This tenant’s model budget is spent';
    case 'LIMITS_UNAVAILABLE':
      return 'This tenant’s rate limits or spend caps could not be checked';
    case 'GUARDRAIL_REJECTED':
      return 'A content guardrail rejected the request';
    case 'NO_PROVIDER_CONFIGURED':
      return 'No model provider is configured';
    case 'PROVIDER_NOT_ALLOWED':
      return 'This tenant’s policy allows none of the configured model providers';
    case 'SEMANTIC_UNAVAILABLE':
      return 'Semantic search is not available';
    case 'INSUFFICIENT_CONTEXT':
      return 'Nothing in this tenant’s documents is relevant enough';
    case 'NOT_FOUND':
      return 'The document was not found';
    default:
      return unreachable(reason);
  }
}

/** What the degraded member holds instead of the model's work. */
function instead(feature: FeatureName): string {
  switch (feature) {
    case 'summarize':
      return 'this is an extractive summary of the text’s own sentences';
    case 'search':
      return 'these results are ranked by keywords only';
    case 'ask':
      return 'these are the most relevant passages instead of a generated answer';
    default:
      return unreachable(feature);
  }
}

/**
 * E.g. "The model provider did not answer in time; this is an extractive summary of the text’s own sentences."
 * `ownLimit`, where one of our limits and not the provider held the call back, names that limit instead.
 */
export function degradedMessage(
  feature: FeatureName,
  reason: DegradationReason,
  ownLimit?: OwnLimit,
): string {
  return `${ownLimit ? ownLimitCause(ownLimit) : cause(reason)}; ${instead(feature)}.`;
}
