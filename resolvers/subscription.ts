// Subscription resolvers: streamed answers and summaries. Without a model there is nothing to stream, so the
// stream is the final result alone.
import type { ResolversTypes, SubscriptionResolvers } from '../subgraph/generated/graphql';
import { toAskResult, toSummarizeResult } from './to-union';

type AskStreamEvent = ResolversTypes['AskStreamEvent'];
type SummarizeStreamEvent = ResolversTypes['SummarizeStreamEvent'];

export const Subscription: SubscriptionResolvers = {
  askStream: {
    subscribe: async function* (_root, { input }, ctx) {
      const result = toAskResult(await ctx.features.ask(ctx.call(), input));
      yield { __typename: 'AskCompleted', result } satisfies AskStreamEvent;
    },
    resolve: (event: AskStreamEvent) => event,
  },
  summarizeStream: {
    subscribe: async function* (_root, { input }, ctx) {
      const result = toSummarizeResult(await ctx.features.summarize(ctx.call(), input));
      yield { __typename: 'SummarizeCompleted', result } satisfies SummarizeStreamEvent;
    },
    resolve: (event: SummarizeStreamEvent) => event,
  },
};
