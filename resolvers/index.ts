// All resolvers of the subgraph, typed against schema/ by GraphQL Code Generator.
import type { Resolvers } from '../subgraph/generated/graphql';
import { Document } from './document';
import { IngestResult } from './ingest-result';
import { Mutation } from './mutation';
import { Query } from './query';
import { Subscription } from './subscription';

export const resolvers: Resolvers = { Query, Mutation, Subscription, Document, IngestResult };
