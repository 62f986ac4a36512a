// The Document entity owned by another subgraph: this subgraph contributes aiSummary, loaded in one batch.
import { documentReferenceSchema, parseInput } from '../subgraph/features/inputs';
import type { DocumentResolvers } from '../subgraph/generated/graphql';
import { toSummarizeResult } from './to-union';

export const Document: DocumentResolvers = {
  // A representation is client input like any other: its id is coerced as an ID and checked like every document
  // id. Bad fields are named relative to the representation (`id`); the `_entities` wrapper
  // (entity-representations.ts) knows its index and names it `representations[3].id`.
  __resolveReference: async (reference) => parseInput(documentReferenceSchema, reference, null),
  aiSummary: async (document, { maxWords }, ctx) =>
    toSummarizeResult(await ctx.features.summarize(ctx.call(), { documentId: document.id, maxWords })),
};
