// Subscription resolvers: the streamed answer and summary, as deltas, notices and the final union member.
import type { NoticeReason, StreamEvent } from '../subgraph/features/stream-pipeline';
import type { AskOutcome, SummarizeOutcome } from '../subgraph/features/feature-result';
import type { ResolversTypes, SubscriptionResolvers } from '../subgraph/generated/graphql';
import { abortable } from './abortable';
import { jobSubscriptions } from './ai-job';
import { toAskResult, toSummarizeResult } from './to-union';
import { unreachable } from '../subgraph/errors/unreachable';

type AskStreamEvent = ResolversTypes['AskStreamEvent'];
type SummarizeStreamEvent = ResolversTypes['SummarizeStreamEvent'];

/** The one switch over stream events; each stream supplies its delta and completed members. */
function toEvent<Outcome, Event>(
  event: StreamEvent<Outcome>,
  members: { delta(text: string, index: number): Event; completed(outcome: Outcome): Event },
): Event | { __typename: 'StreamNotice'; reason: NoticeReason; message: string; restart: boolean } {
  switch (event.kind) {
    case 'delta':
      return members.delta(event.text, event.index);
    case 'notice':
      return {
        __typename: 'StreamNotice',
        reason: event.reason,
        message: event.message,
        restart: event.restart,
      };
    case 'completed':
      return members.completed(event.result);
    default:
      return unreachable(event);
  }
}

const toAskEvent = (event: StreamEvent<AskOutcome>): AskStreamEvent =>
  toEvent(event, {
    delta: (text, index): AskStreamEvent => ({ __typename: 'AnswerDelta', text, index }),
    completed: (outcome): AskStreamEvent => ({ __typename: 'AskCompleted', result: toAskResult(outcome) }),
  });

const toSummarizeEvent = (event: StreamEvent<SummarizeOutcome>): SummarizeStreamEvent =>
  toEvent(event, {
    delta: (text, index): SummarizeStreamEvent => ({ __typename: 'SummaryDelta', text, index }),
    completed: (outcome): SummarizeStreamEvent => ({
      __typename: 'SummarizeCompleted',
      result: toSummarizeResult(outcome),
    }),
  });

/**
 * A subscription's event source: the feature's stream, mapped to union members. Wrapped in abortable() so an
 * unsubscribe aborts the provider call at once instead of waiting for the stream's next event.
 */
function subscribeTo<Outcome, Event>(
  start: (signal: AbortSignal) => AsyncGenerator<StreamEvent<Outcome>>,
  toMember: (event: StreamEvent<Outcome>) => Event,
): AsyncIterableIterator<Event> {
  return abortable(start, toMember);
}

export const Subscription: SubscriptionResolvers = {
  ...jobSubscriptions,
  askStream: {
    subscribe: (_root, { input }, ctx) =>
      subscribeTo((signal) => ctx.features.askStream(ctx.call(), input, signal), toAskEvent),
    resolve: (event: AskStreamEvent) => event,
  },
  summarizeStream: {
    subscribe: (_root, { input }, ctx) =>
      subscribeTo((signal) => ctx.features.summarizeStream(ctx.call(), input, signal), toSummarizeEvent),
    resolve: (event: SummarizeStreamEvent) => event,
  },
};
