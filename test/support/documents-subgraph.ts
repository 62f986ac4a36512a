// A stand-in for another team's `documents` subgraph: it owns Document { id title } and lists a fixed set of
// documents per tenant. The tenant comes from a plain, unverified decode of the bearer token's tenant_id claim,
// which is enough for a test double; the AI subgraph behind the same supergraph verifies the token itself.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import gql from 'graphql-tag';

export interface CatalogDocument {
  id: string;
  title: string;
}

/** tenant id -> the documents the documents subgraph lists for it. */
export type DocumentCatalog = Record<string, CatalogDocument[]>;

export interface DocumentsSubgraph {
  url: string;
  stop(): Promise<void>;
}

interface DocumentsContext {
  tenantId: string | null;
}

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

  type Document @key(fields: "id") {
    id: ID!
    title: String!
  }

  type Query {
    documents: [Document!]!
  }
`;

/** The tenant_id claim of a bearer token, decoded without verification; null when absent or malformed. */
export function unverifiedTenantId(authorization: string | undefined): string | null {
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims !== 'object' || claims === null) return null;
    const tenantId = (claims as Record<string, unknown>).tenant_id;
    return typeof tenantId === 'string' ? tenantId : null;
  } catch {
    return null;
  }
}

export async function startDocumentsSubgraph(catalog: DocumentCatalog): Promise<DocumentsSubgraph> {
  const listFor = (tenantId: string | null): CatalogDocument[] => (tenantId ? (catalog[tenantId] ?? []) : []);
  const resolvers = {
    Query: {
      documents: (_root: unknown, _args: unknown, ctx: DocumentsContext) => listFor(ctx.tenantId),
    },
    Document: {
      __resolveReference: (reference: { id: string }, ctx: DocumentsContext) =>
        listFor(ctx.tenantId).find((document) => document.id === reference.id) ?? null,
    },
  };
  const server = new ApolloServer<DocumentsContext>({
    schema: buildSubgraphSchema([{ typeDefs, resolvers }]),
    stopOnTerminationSignals: false,
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ tenantId: unverifiedTenantId(req.headers.authorization) }),
  });
  return { url, stop: () => server.stop() };
}
