// Apollo Server plugin: when the server drains (stop()), graphql-ws drains beside the HTTP requests, with the
// same grace: the streams open finish, each connection closing with 1001 once it has none (ws-drain.ts), and
// what is still open when the grace ends is closed all the same, so no socket is cut when the process exits.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Logger } from '../observability/logger';
import type { GraphqlWsServer } from './graphql-ws-server';

export function drainGraphqlWsPlugin<TContext extends BaseContext>(
  wsServer: GraphqlWsServer,
  graceMs: number,
  logger: Logger,
): ApolloServerPlugin<TContext> {
  return {
    async serverWillStart() {
      return {
        async drainServer() {
          const streaming = await wsServer.drain(graceMs);
          if (streaming > 0)
            logger.warn(
              { connections: streaming },
              'graphql-ws connections still streaming at the grace end closed',
            );
        },
      };
    },
  };
}
