// Mutation resolvers: ingest and delete documents of the caller's tenant, and its background AI jobs.
import type { MutationResolvers } from '../subgraph/generated/graphql';
import { jobMutations } from './ai-job';
import { withSummaryRefused } from './ingest-result';

export const Mutation: MutationResolvers = {
  ...jobMutations,
  ingestDocument: async (_root, { input: { summarize, ...document } }, ctx) => {
    const call = ctx.call();
    const ingested = await ctx.features.ingest.ingest(call, document);
    if (!summarize) return { ...ingested, summaryJobId: null };
    // After the document is stored, so the job is tied to the version just written. The document stays stored
    // if the job is refused: the refusal is summaryJobId's error, not the mutation's (ingest-result.ts).
    try {
      // The same document again (no new version): the summary stored, or still to come, for its version stands,
      // and its job answers; none is queued. Without one (never asked, or its job failed), one is queued.
      const kept = ingested.unchanged
        ? await ctx.jobs.keptDocumentSummary(call.tenant.tenantId, ingested.documentId)
        : null;
      if (kept !== null) return { ...ingested, summaryJobId: kept };
      const job = await ctx.jobs.startDocumentSummary(call.tenant, ingested.documentId);
      return { ...ingested, summaryJobId: job.id };
    } catch (error) {
      return withSummaryRefused({ ...ingested, summaryJobId: null }, error);
    }
  },
  deleteDocument: (_root, { id }, ctx) => ctx.features.ingest.delete(ctx.call(), id),
};
