// Maps a feature's outcome to the union member a client renders: full, degraded or unavailable.
import type {
  AskOutcome,
  SearchOutcome,
  SummarizeOutcome,
  Unavailable,
} from '../subgraph/features/feature-result';
import type { ResolversTypes } from '../subgraph/generated/graphql';

type SummarizeResult = ResolversTypes['SummarizeResult'];
type SearchResult = ResolversTypes['SearchResult'];
type AskResult = ResolversTypes['AskResult'];

const unavailableMember = (outcome: Unavailable) =>
  ({
    __typename: 'AIUnavailable',
    reason: outcome.reason,
    message: outcome.message,
    retryAfterSeconds: outcome.retryAfterSeconds,
  }) as const;

export function toSummarizeResult(outcome: SummarizeOutcome): SummarizeResult {
  switch (outcome.kind) {
    case 'full':
      return { __typename: 'Summary', text: outcome.value.text, meta: outcome.meta };
    case 'degraded':
      return {
        __typename: 'DegradedSummary',
        text: outcome.value.text,
        reason: outcome.reason,
        meta: outcome.meta,
      };
    case 'unavailable':
      return unavailableMember(outcome);
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unreachable)}`);
    }
  }
}

export function toSearchResult(outcome: SearchOutcome): SearchResult {
  switch (outcome.kind) {
    case 'full':
      return { __typename: 'SearchResults', hits: outcome.value.hits, meta: outcome.meta };
    case 'degraded':
      return {
        __typename: 'DegradedSearchResults',
        hits: outcome.value.hits,
        reason: outcome.reason,
        meta: outcome.meta,
      };
    case 'unavailable':
      return unavailableMember(outcome);
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unreachable)}`);
    }
  }
}

export function toAskResult(outcome: AskOutcome): AskResult {
  switch (outcome.kind) {
    case 'full':
      return {
        __typename: 'Answer',
        text: outcome.value.text,
        citations: outcome.value.citations,
        meta: outcome.meta,
      };
    case 'degraded':
      return {
        __typename: 'DegradedAnswer',
        passages: outcome.value.passages,
        reason: outcome.reason,
        meta: outcome.meta,
      };
    case 'unavailable':
      return unavailableMember(outcome);
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unreachable)}`);
    }
  }
}
