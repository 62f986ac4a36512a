// A real Apollo Client 4 against a test subgraph, the way a frontend wires it: HttpLink for queries, graphql-ws
// for subscriptions, an InMemoryCache with or without the client kit (client/), and the client's development
// warnings read back as text.
import './apollo-dev-mode';
import { format } from 'node:util';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import type { OperationVariables, TypedDocumentNode } from '@apollo/client';
import { loadDevMessages, loadErrorMessages } from '@apollo/client/dev';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient } from 'graphql-ws';
import { OperationTypeNode } from 'graphql';
import WebSocket from 'ws';
import { possibleTypes, typePolicies } from '../../client';

// The warnings' full text instead of a numbered link to Apollo's site.
loadDevMessages();
loadErrorMessages();

export interface ApolloTestClient {
  client: ApolloClient;
  cache: InMemoryCache;
  /** Runs a subscription to its end and resolves with every result it delivered. */
  subscribeAll<Data>(query: TypedDocumentNode<Data>, variables: OperationVariables): Promise<Data[]>;
  close(): Promise<void>;
}

/** `kit`: the cache gets the client kit's possibleTypes and typePolicies; otherwise a bare InMemoryCache. */
export function apolloClientFor(
  subgraph: { url: string; wsUrl: string },
  token: string,
  options: { kit: boolean },
): ApolloTestClient {
  const cache = options.kit ? new InMemoryCache({ possibleTypes, typePolicies }) : new InMemoryCache();
  const authorization = `Bearer ${token}`;
  const ws = createClient({
    url: subgraph.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization },
    lazy: true,
  });
  const link = ApolloLink.split(
    ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
    new GraphQLWsLink(ws),
    new HttpLink({ uri: subgraph.url, headers: { authorization } }),
  );
  const client = new ApolloClient({ link, cache });
  return {
    client,
    cache,
    subscribeAll: <Data>(query: TypedDocumentNode<Data>, variables: OperationVariables) =>
      new Promise<Data[]>((resolve, reject) => {
        const results: Data[] = [];
        client.subscribe({ query, variables }).subscribe({
          next: (result) => {
            if (result.error) reject(new Error(`subscription error: ${result.error.message}`));
            else if (result.data) results.push(result.data);
          },
          error: reject,
          complete: () => resolve(results),
        });
      }),
    close: async () => {
      client.stop();
      await ws.dispose();
    },
  };
}

/** What Apollo Client printed through console.warn while `run` ran, each call as one formatted string. */
export async function warningsDuring(run: () => Promise<void>): Promise<string[]> {
  const printed: string[] = [];
  const spy = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    printed.push(format(...args));
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return printed;
}

export const cacheDataLoss = (warnings: string[]): string[] =>
  warnings.filter((warning) => warning.includes('Cache data may be lost'));
