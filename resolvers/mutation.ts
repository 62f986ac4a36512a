// Mutation resolvers: ingest and delete documents of the caller's tenant, and its background AI jobs.
import type { MutationResolvers } from '../subgraph/generated/graphql';
import { jobMutations } from './ai-job';

export const Mutation: MutationResolvers = {
  ...jobMutations,
  ingestDocument: (_root, { input }, ctx) => ctx.features.ingest.ingest(ctx.call(), input),
  deleteDocument: (_root, { id }, ctx) => ctx.features.ingest.delete(ctx.call(), id),
};
