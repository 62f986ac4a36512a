// The Document entity owned by another subgraph: this subgraph contributes aiSummary, loaded in one batch.
import { documentIdSchema, parseInput } from '../subgraph/features/inputs';
import type { DocumentResolvers } from '../subgraph/generated/graphql';
import { toSummarizeResult } from './to-union';

export const Document: DocumentResolvers = {
  // A representation's id is client input like any other, checked here where the client wrote it. Async, so a
  // bad one fails its own `_entities` entry (the error's path gives the index), not the whole list.
  __resolveReference: async (reference) => ({
    id: parseInput(documentIdSchema, reference.id, 'representations.id'),
  }),
  aiSummary: async (document, { maxWords }, ctx) =>
    toSummarizeResult(await ctx.features.summarize(ctx.call(), { documentId: document.id, maxWords })),
};
