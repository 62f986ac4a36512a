// The Document entity owned by another subgraph: this subgraph contributes aiSummary, loaded in one batch.
import type { DocumentResolvers } from '../subgraph/generated/graphql';
import { toSummarizeResult } from './to-union';

export const Document: DocumentResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  aiSummary: async (document, { maxWords }, ctx) =>
    toSummarizeResult(await ctx.features.summarize(ctx.call(), { documentId: document.id, maxWords })),
};
