// Subscription resolvers: the streamed answer and summary, as deltas, notices and the final union member.
import type { StreamEvent } from '../subgraph/features/streams';
import type { AskOutcome, SummarizeOutcome } from '../subgraph/features/feature-result';
import type { ResolversTypes, SubscriptionResolvers } from '../subgraph/generated/graphql';
import { abortable } from './abortable';
import { toAskResult, toSummarizeResult } from './to-union';

type AskStreamEvent = ResolversTypes['AskStreamEvent'];
type SummarizeStreamEvent = ResolversTypes['SummarizeStreamEvent'];

function toAskEvent(event: StreamEvent<AskOutcome>): AskStreamEvent {
  switch (event.kind) {
    case 'delta':
      return { __typename: 'AnswerDelta', text: event.text, index: event.index };
    case 'notice':
      return {
        __typename: 'StreamNotice',
        reason: event.reason,
        message: event.message,
        restart: event.restart,
      };
    case 'completed':
      return { __typename: 'AskCompleted', result: toAskResult(event.result) };
    default: {
      const unreachable: never = event;
      throw new Error(`unknown stream event ${JSON.stringify(unreachable)}`);
    }
  }
}

function toSummarizeEvent(event: StreamEvent<SummarizeOutcome>): SummarizeStreamEvent {
  switch (event.kind) {
    case 'delta':
      return { __typename: 'SummaryDelta', text: event.text, index: event.index };
    case 'notice':
      return {
        __typename: 'StreamNotice',
        reason: event.reason,
        message: event.message,
        restart: event.restart,
      };
    case 'completed':
      return { __typename: 'SummarizeCompleted', result: toSummarizeResult(event.result) };
    default: {
      const unreachable: never = event;
      throw new Error(`unknown stream event ${JSON.stringify(unreachable)}`);
    }
  }
}

export const Subscription: SubscriptionResolvers = {
  askStream: {
    subscribe: (_root, { input }, ctx) =>
      abortable(async function* (signal) {
        for await (const event of ctx.features.askStream(ctx.call(), input, signal)) yield toAskEvent(event);
      }),
    resolve: (event: AskStreamEvent) => event,
  },
  summarizeStream: {
    subscribe: async function* (_root, { input }, ctx) {
      for await (const event of ctx.features.summarizeStream(ctx.call(), input))
        yield toSummarizeEvent(event);
    },
    resolve: (event: SummarizeStreamEvent) => event,
  },
};
