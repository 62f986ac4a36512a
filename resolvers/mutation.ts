// Mutation resolvers: ingest and delete documents of the caller's tenant.
import type { MutationResolvers } from '../subgraph/generated/graphql';

export const Mutation: MutationResolvers = {
  ingestDocument: (_root, { input }, ctx) => ctx.features.ingest.ingest(ctx.call(), input),
  deleteDocument: (_root, { id }, ctx) => ctx.features.ingest.delete(ctx.call(), id),
};
