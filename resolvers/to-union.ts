// Maps a feature's outcome to the union member a client renders: full, degraded or unavailable.
import type {
  AskOutcome,
  DegradationReason,
  FeatureResult,
  ResultMeta,
  SearchOutcome,
  SummarizeOutcome,
} from '../subgraph/features/feature-result';
import { degradedMessage } from '../subgraph/features/degraded-message';
import type { FeatureName } from '../subgraph/features/meter-result';
import type { ResolversTypes } from '../subgraph/generated/graphql';
import { unreachable } from '../subgraph/errors/unreachable';

type SummarizeResult = ResolversTypes['SummarizeResult'];
type SearchResult = ResolversTypes['SearchResult'];
type AskResult = ResolversTypes['AskResult'];

/**
 * The one switch over outcomes; each union names its full and degraded members, whose fields are the
 * outcome's value, and the feature whose fallback the degraded member's message describes. The caller's
 * declared union type checks that the member built here is one of its own.
 */
function toMember<
  Full extends object,
  Degraded extends object,
  FullName extends string,
  DegradedName extends string,
>(
  outcome: FeatureResult<Full, Degraded>,
  names: { full: FullName; degraded: DegradedName; feature: FeatureName },
):
  | ({ __typename: FullName; meta: ResultMeta } & Full)
  | ({ __typename: DegradedName; reason: DegradationReason; message: string; meta: ResultMeta } & Degraded)
  | {
      __typename: 'AIUnavailable';
      reason: DegradationReason;
      message: string;
      retryAfterSeconds: number | null;
    } {
  switch (outcome.kind) {
    case 'full':
      return { __typename: names.full, ...outcome.value, meta: outcome.meta };
    case 'degraded':
      return {
        __typename: names.degraded,
        ...outcome.value,
        reason: outcome.reason,
        message: degradedMessage(names.feature, outcome.reason, outcome.ownLimit),
        meta: outcome.meta,
      };
    case 'unavailable':
      return {
        __typename: 'AIUnavailable',
        reason: outcome.reason,
        message: outcome.message,
        retryAfterSeconds: outcome.retryAfterSeconds,
      };
    default:
      return unreachable(outcome);
  }
}

export const toSummarizeResult = (outcome: SummarizeOutcome): SummarizeResult =>
  toMember(outcome, { full: 'Summary', degraded: 'DegradedSummary', feature: 'summarize' });

export const toSearchResult = (outcome: SearchOutcome): SearchResult =>
  toMember(outcome, { full: 'SearchResults', degraded: 'DegradedSearchResults', feature: 'search' });

export const toAskResult = (outcome: AskOutcome): AskResult =>
  toMember(outcome, { full: 'Answer', degraded: 'DegradedAnswer', feature: 'ask' });
