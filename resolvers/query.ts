// Query resolvers: thin, GraphQL in and GraphQL out; the features do the work.
import type { QueryResolvers } from '../subgraph/generated/graphql';
import { jobQueries } from './ai-job';
import { toAskResult, toSearchResult, toSummarizeResult } from './to-union';

export const Query: QueryResolvers = {
  ...jobQueries,
  summarize: async (_root, { input }, ctx) =>
    toSummarizeResult(await ctx.features.summarize(ctx.call(), input)),
  search: async (_root, { input }, ctx) => toSearchResult(await ctx.features.search(ctx.call(), input)),
  ask: async (_root, { input }, ctx) => toAskResult(await ctx.features.ask(ctx.call(), input)),
  usage: async (_root, _args, ctx) => ctx.features.usage(ctx.call().tenant),
  aiSamples: async (_root, { limit }, ctx) => ctx.features.aiSamples(ctx.call().tenant, limit),
};
