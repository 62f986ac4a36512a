// The Document entity owned by another subgraph: this subgraph contributes aiSummary, loaded in one batch.
import { documentReferenceSchema, parseInput } from '../subgraph/features/inputs';
import type { DocumentResolvers } from '../subgraph/generated/graphql';
import { toSummarizeResult } from './to-union';

export const Document: DocumentResolvers = {
  // A representation is client input like any other: its id is coerced as an ID and checked like every document
  // id. Bad fields are named relative to the representation (`id`); the `_entities` wrapper
  // (entity-representations.ts) knows its index and names it `representations[3].id`.
  __resolveReference: async (reference) => parseInput(documentReferenceSchema, reference, null),
  aiSummary: async (document, { maxWords }, ctx) => {
    const call = ctx.call();
    // A summary made in the background at ingest (summarize: true) is served as is, with no model call; it was
    // made at the default length, so a caller asking for another length gets one computed here.
    if (maxWords === null || maxWords === undefined) {
      const stored = await ctx.jobs.storedSummary(call.tenant.tenantId, document.id);
      if (stored?.kind === 'full')
        return toSummarizeResult({ ...stored, meta: { ...stored.meta, cached: true } });
    }
    return toSummarizeResult(await ctx.features.summarize(call, { documentId: document.id, maxWords }));
  },
};
