// Apollo Server plugin: subscriptions are served over graphql-ws only. Apollo Server has no HTTP transport for
// them and would execute one as a query, where the stream's resolver fails like a bug (a logged
// INTERNAL_SERVER_ERROR). This refuses it before execution with 400 BAD_REQUEST naming graphql-ws and its path:
// Apollo Client's multipart subscriptions (Accept: multipart/mixed;subscriptionSpec=1.0), a GET, and Apollo
// Router's callback mode (extensions.subscription, which the README explains this subgraph does not serve).
// It must run before requireAuthenticationPlugin so an anonymous caller learns the transport, not just 401.
import type { ApolloServerPlugin } from '@apollo/server';
import { OperationTypeNode } from 'graphql';
import type { RequestContext } from '../context';
import { subscriptionOverHttpError } from '../errors/graphql-errors';

export function refuseHttpSubscriptionsPlugin(wsPath: string): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === OperationTypeNode.SUBSCRIPTION)
            throw subscriptionOverHttpError(wsPath);
        },
      };
    },
  };
}
