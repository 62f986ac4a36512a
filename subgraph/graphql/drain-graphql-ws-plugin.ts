// Apollo Server plugin: when the server drains (stop()), graphql-ws connections close too, alongside the HTTP
// drain, so a subscriber sees a clean 1001 rather than a socket cut when the process exits.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Disposable } from 'graphql-ws';

export function drainGraphqlWsPlugin<TContext extends BaseContext>(
  wsServer: Disposable,
): ApolloServerPlugin<TContext> {
  return {
    async serverWillStart() {
      return {
        async drainServer() {
          await wsServer.dispose();
        },
      };
    },
  };
}
