// Apollo Server plugin: an operation with no verified tenant may select only public root fields; anything
// else is refused before execution with UNAUTHENTICATED and HTTP 401.
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import { unauthenticatedError } from '../errors/graphql-errors';
import type { RequestContext } from '../context';
import { onlyPublicFields, rootFieldNames } from './root-fields';

export function requireAuthenticationPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          if (contextValue.tenant) return;
          if (!operation) throw unauthenticatedError();
          const fragments = Object.fromEntries(
            document.definitions.flatMap((d) =>
              d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [],
            ),
          );
          if (!onlyPublicFields(rootFieldNames(operation, fragments))) throw unauthenticatedError();
        },
      };
    },
  };
}
