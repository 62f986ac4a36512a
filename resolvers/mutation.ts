// Mutation resolvers: ingest and delete documents of the caller's tenant, and its background AI jobs.
import type { MutationResolvers } from '../subgraph/generated/graphql';
import { jobMutations } from './ai-job';

export const Mutation: MutationResolvers = {
  ...jobMutations,
  ingestDocument: async (_root, { input: { summarize, ...document } }, ctx) => {
    const call = ctx.call();
    const ingested = await ctx.features.ingest.ingest(call, document);
    // After the document is stored, so the job is tied to the version just written.
    const job = summarize ? await ctx.jobs.startDocumentSummary(call.tenant, ingested.documentId) : null;
    return { ...ingested, summaryJobId: job?.id ?? null };
  },
  deleteDocument: (_root, { id }, ctx) => ctx.features.ingest.delete(ctx.call(), id),
};
