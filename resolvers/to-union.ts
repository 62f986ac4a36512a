// Maps a feature's outcome to the union member a client renders: full, degraded or unavailable.
import type {
  AskOutcome,
  DegradationReason,
  FeatureResult,
  ResultMeta,
  SearchOutcome,
  SummarizeOutcome,
} from '../subgraph/features/feature-result';
import type { ResolversTypes } from '../subgraph/generated/graphql';
import { unreachable } from '../subgraph/errors/unreachable';

type SummarizeResult = ResolversTypes['SummarizeResult'];
type SearchResult = ResolversTypes['SearchResult'];
type AskResult = ResolversTypes['AskResult'];

interface Members<Full, Degraded, Result> {
  full(value: Full, meta: ResultMeta): Result;
  degraded(value: Degraded, reason: DegradationReason, meta: ResultMeta): Result;
}

/** The one switch over outcomes; each union supplies how its full and degraded members look. */
function toMember<Full, Degraded, Result>(
  outcome: FeatureResult<Full, Degraded>,
  members: Members<Full, Degraded, Result>,
):
  | Result
  | {
      __typename: 'AIUnavailable';
      reason: DegradationReason;
      message: string;
      retryAfterSeconds: number | null;
    } {
  switch (outcome.kind) {
    case 'full':
      return members.full(outcome.value, outcome.meta);
    case 'degraded':
      return members.degraded(outcome.value, outcome.reason, outcome.meta);
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
  toMember(outcome, {
    full: ({ text }, meta): SummarizeResult => ({ __typename: 'Summary', text, meta }),
    degraded: ({ text }, reason, meta): SummarizeResult => ({
      __typename: 'DegradedSummary',
      text,
      reason,
      meta,
    }),
  });

export const toSearchResult = (outcome: SearchOutcome): SearchResult =>
  toMember(outcome, {
    full: ({ hits }, meta): SearchResult => ({ __typename: 'SearchResults', hits, meta }),
    degraded: ({ hits }, reason, meta): SearchResult => ({
      __typename: 'DegradedSearchResults',
      hits,
      reason,
      meta,
    }),
  });

export const toAskResult = (outcome: AskOutcome): AskResult =>
  toMember(outcome, {
    full: ({ text, citations }, meta): AskResult => ({ __typename: 'Answer', text, citations, meta }),
    degraded: ({ passages }, reason, meta): AskResult => ({
      __typename: 'DegradedAnswer',
      passages,
      reason,
      meta,
    }),
  });
